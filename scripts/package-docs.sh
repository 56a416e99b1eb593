#!/usr/bin/env bash
# Makes the API reference in dist/docs/:
#   native/   the C ABI (shmlink.h, shmlink_loader.h) and the C++ layer (shmlink.hpp): Doxygen
#             HTML of the headers' own comments (docs/Doxyfile, docs/doc-comments.awk)
#   java/     the Java API: the pages of the javadoc jar (scripts/package-maven.sh, run first
#             when dist/maven has no javadoc jar of this version)
#   dotnet/   the C# API: docfx (a .NET tool from NuGet, installed into the build tree) over
#             ShmLink.Managed.dll and its XML documentation
#   index.html  links to the three
# then checks that every public function and type has its page (tests/package/check_docs.sh).
# Needs doxygen (Debian package) and the linux preset's build tree, built. Settings: see
# scripts/package-common.sh; SHMLINK_DOCFX (a docfx to use instead of installing one).
set -euo pipefail
source "$(dirname "$0")/package-common.sh"

docs="$dist_dir/docs"
stage="$work_dir/docs"
rm -rf "$docs" "$stage"
mkdir -p "$docs/native" "$stage"
command -v doxygen >/dev/null || die "doxygen is missing (apt-get install doxygen, or scripts/install-deps.sh test)"

# ---- C and C++: Doxygen ----
headers=("$shmlink_root"/include/shmlink/shmlink.h "$shmlink_root"/include/shmlink/shmlink.hpp
  "$shmlink_root"/include/shmlink/shmlink_loader.h)
# The version header: checked in, or generated into the build tree.
for version_header in "$shmlink_root/include/shmlink/shmlink_version.h" "$build_dir/include/shmlink/shmlink_version.h"; do
  if [ -f "$version_header" ]; then
    headers+=("$version_header")
    break
  fi
done
{
  cat "$shmlink_root/docs/Doxyfile"
  echo "PROJECT_NUMBER = $version"
  echo "INPUT = ${headers[*]}"
  echo "STRIP_FROM_PATH = $shmlink_root/include $build_dir/include"
  echo "INPUT_FILTER = \"awk -f $shmlink_root/docs/doc-comments.awk\""
  echo "OUTPUT_DIRECTORY = $docs/native"
  echo "WARN_LOGFILE = $stage/doxygen-warnings.txt"
} | doxygen - >"$stage/doxygen.log" 2>&1 || { cat "$stage/doxygen.log" >&2; die "doxygen failed"; }
[ -f "$docs/native/shmlink_8h.html" ] || die "doxygen made no page for shmlink.h (see $stage/doxygen-warnings.txt)"

# ---- Java: the javadoc jar's pages ----
javadoc_jar="$dist_dir/maven/org/shmlink/shmlink/$version/shmlink-$version-javadoc.jar"
[ -f "$javadoc_jar" ] || "$shmlink_root/scripts/package-maven.sh"
mkdir -p "$docs/java"
(cd "$docs/java" && jar --extract --file "$javadoc_jar")
rm -rf "$docs/java/META-INF"

# ---- C#: docfx over the built assembly and its XML documentation ----
assembly_dir="$build_dir/dotnet/bin/ShmLink/Release/net8.0"
[ -f "$assembly_dir/ShmLink.Managed.dll" ] && [ -f "$assembly_dir/ShmLink.Managed.xml" ] ||
  die "$assembly_dir has no ShmLink.Managed.dll and .xml: build the linux preset"
docfx=${SHMLINK_DOCFX:-}
if [ -z "$docfx" ]; then
  tools="$build_dir/tools"
  docfx="$tools/docfx"
  if [ ! -x "$docfx" ]; then
    # From NuGet, with a configuration of its own: the repository's NuGet.config maps only the
    # packages the build uses.
    mkdir -p "$tools"
    cat >"$tools/nuget.config" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
</configuration>
EOF
    (cd "$tools" && dotnet tool install docfx --version 2.81.0 --tool-path "$tools" --configfile "$tools/nuget.config") ||
      die "cannot install docfx 2.81.0 from NuGet"
  fi
fi
mkdir -p "$stage/docfx/input"
cp "$assembly_dir/ShmLink.Managed.dll" "$assembly_dir/ShmLink.Managed.xml" "$stage/docfx/input/"
cat >"$stage/docfx/index.md" <<EOF
# shmlink $version: the C# API

The \`ShmLink\` NuGet package: assembly \`ShmLink.Managed.dll\`, namespace [ShmLink](api/ShmLink.html).
EOF
cat >"$stage/docfx/docfx.json" <<EOF
{
  "metadata": [
    { "src": [ { "src": "input", "files": [ "ShmLink.Managed.dll" ] } ], "dest": "api" }
  ],
  "build": {
    "content": [ { "files": [ "api/*.yml", "index.md" ] } ],
    "template": [ "default" ],
    "dest": "$docs/dotnet",
    "globalMetadata": { "_appTitle": "shmlink $version C# API", "_disableContribution": true },
    "disableGitFeatures": true
  }
}
EOF
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_ROLL_FORWARD=Major DOCFX_NO_TELEMETRY=1
(cd "$stage/docfx" && "$docfx" docfx.json >"$stage/docfx.log" 2>&1) || { cat "$stage/docfx.log" >&2; die "docfx failed"; }

cat >"$docs/index.html" <<EOF
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>shmlink $version API reference</title></head>
<body>
<h1>shmlink $version API reference</h1>
<ul>
  <li><a href="native/shmlink_8h.html">C ABI</a> (<code>shmlink.h</code>),
      <a href="native/shmlink__loader_8h.html">run-time loading</a> (<code>shmlink_loader.h</code>) and
      <a href="native/shmlink_8hpp.html">C++ layer</a> (<code>shmlink.hpp</code>, namespace <code>shmlink</code>)</li>
  <li><a href="java/index.html">Java</a> (package <code>org.shmlink</code>; Maven <code>org.shmlink:shmlink:$version</code>)</li>
  <li><a href="dotnet/api/ShmLink.html">C#</a> (namespace <code>ShmLink</code>; NuGet <code>ShmLink</code> $version)</li>
</ul>
</body>
</html>
EOF

"$shmlink_root/tests/package/check_docs.sh" "$docs" "$shmlink_root"
note "$docs: C and C++ (Doxygen), Java (javadoc), C# (docfx)"
