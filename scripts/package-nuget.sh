#!/usr/bin/env bash
# Makes the NuGet package and its symbols package:
#   dist/ShmLink.<version>.nupkg    lib/net8.0/ShmLink.Managed.dll + .xml (the API docs),
#                                   runtimes/<rid>/native/ (stripped) for linux-x64, linux-x86,
#                                   win-x64 and win-x86 (each where its build tree was built),
#                                   README.md, license expression, project and repository URLs
#   dist/ShmLink.<version>.snupkg   the portable PDB with every source file embedded
# from the linux preset's build tree (built; it names the Windows build trees it packs) and
# out/linux-i686 when that holds the 32-bit C# wrapper. It is the same `dotnet pack` of
# bindings/csharp/ShmLink.csproj the build and the csharp_package test use, into a build
# folder of its own (the build tree's own ShmLink.Managed.dll is left alone), as a
# continuous-integration build (source paths mapped to /_/, deterministic). Settings: see
# scripts/package-common.sh.
set -euo pipefail
source "$(dirname "$0")/package-common.sh"

props="$build_dir/bindings/csharp/ShmLink.Build.props"
[ -f "$props" ] || die "$build_dir has no C# binding (configure it with -DSHMLINK_BUILD_CSHARP=ON: the linux preset does)"
# A property of the generated ShmLink.Build.props.
build_property() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$props"; }
generated=$(build_property ShmLinkGeneratedDir)
[ -f "$generated/shmlinkPINVOKE.cs" ] || die "$build_dir is not built: cmake --build --preset linux"

stage="$work_dir/nuget"
rm -rf "$stage"
mkdir -p "$stage/natives" "$dist_dir"

# The natives by runtime identifier, stripped into a stage folder each; MSBuild gets that
# folder as a wildcard (a list on the command line would need ';', which -p: splits on).
declare -A natives=()
stage_natives() {
  local rid=$1 file
  shift
  for file in "$@"; do
    [ -f "$file" ] || die "$file is missing (build its preset, or configure $build_dir again)"
    strip_native_into "$file" "$stage/natives/$rid"
  done
  natives[$rid]="$stage/natives/$rid/*"
}
IFS=';' read -r -a files <<<"$(build_property ShmLinkLinuxNativeFiles)"
stage_natives linux-x64 "${files[@]}"
packed="linux-x64"
linux_x86_version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$linux_x86_dir/CMakeCache.txt" 2>/dev/null || true)
if [ -f "$linux_x86_dir/lib/libshmlink_csharp.so" ] && [ "$linux_x86_version" != "$version" ]; then
  note "no linux-x86 natives: $linux_x86_dir is version ${linux_x86_version:-unknown}, not $version (configure and build it again)"
elif [ -f "$linux_x86_dir/lib/libshmlink_csharp.so" ]; then
  stage_natives linux-x86 "$linux_x86_dir/lib/libshmlink_csharp.so" "$linux_x86_dir/lib/libshmlink.so.1"
  packed+=" linux-x86"
else
  note "no linux-x86 natives: $linux_x86_dir/lib has no libshmlink_csharp.so (cmake --preset linux-i686 && cmake --build --preset linux-i686)"
fi
for rid in win-x64 win-x86; do
  property=ShmLinkWindowsNativeFiles
  [ "$rid" = win-x86 ] && property=ShmLinkWindowsX86NativeFiles
  IFS=';' read -r -a files <<<"$(build_property $property)"
  if [ ${#files[@]} -gt 0 ]; then
    stage_natives $rid "${files[@]}"
    packed+=" $rid"
  else
    note "no $rid natives: $build_dir was configured without that Windows build tree"
  fi
done

rm -f "$dist_dir/ShmLink.$version.nupkg" "$dist_dir/ShmLink.$version.snupkg"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet pack "$shmlink_root/bindings/csharp/ShmLink.csproj" -c Release -nologo -v:minimal -m:1 \
  "-p:ShmLinkBuildDir=$build_dir" \
  "-p:BaseOutputPath=$stage/bin/" "-p:BaseIntermediateOutputPath=$stage/obj/" \
  -p:ContinuousIntegrationBuild=true \
  "-p:ShmLinkLinuxNativeFiles=${natives[linux-x64]}" \
  "-p:ShmLinkLinuxX86NativeFiles=${natives[linux-x86]:-}" \
  "-p:ShmLinkWindowsNativeFiles=${natives[win-x64]:-}" \
  "-p:ShmLinkWindowsX86NativeFiles=${natives[win-x86]:-}" \
  "-p:ShmLinkLicenseExpression=$license_id" \
  "-p:ShmLinkProjectUrl=$project_url" "-p:RepositoryUrl=$repository_url" \
  "-p:RepositoryCommit=$source_commit" \
  -o "$dist_dir"
for file in "$dist_dir/ShmLink.$version.nupkg" "$dist_dir/ShmLink.$version.snupkg"; do
  [ -f "$file" ] || die "dotnet pack made no $file"
done
note "$dist_dir/ShmLink.$version.nupkg (natives: $packed; license $license_id) and its .snupkg"
