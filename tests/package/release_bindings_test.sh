#!/usr/bin/env bash
# release_bindings_test.sh nuget|maven|docs BUILD_DIR
# The bindings' release artifacts as users get them, made by the release scripts from the
# linux preset's build tree BUILD_DIR into a dist/ of the test's own (in a temporary folder),
# then used from outside the source tree, offline, against a C peer (BUILD_DIR/bin's
# shmlink_channel_producer, examples/c/channel_producer.c):
#   nuget  scripts/package-nuget.sh; the package's contents (natives per runtime, XML docs,
#          README, license, URLs, a .snupkg whose PDB carries the sources); made twice, the
#          same bytes; then tests/package/consumers/dotnet restored from that dist/ alone,
#          built, run, and published for linux-x64 and run receiving from the C producer.
#   maven  scripts/package-maven.sh; the jar (manifest, stripped natives, pom inside), the
#          checksums; made twice, the same bytes; `mvn install:install-file` into a local
#          repository made here (Debian's Maven plugins, /usr/share/maven-repo, linked in),
#          tests/package/consumers/maven built with `mvn -o` against it, and the same App.java
#          compiled with plain `javac -cp shmlink-<version>.jar`; both run, and receive from
#          the C producer.
#   docs   scripts/package-docs.sh, which ends with tests/package/check_docs.sh.
# Every program runs with a time limit. The work folder is removed when the test passes.
# (Pipelines end in `grep >/dev/null`, never `grep -q`: under pipefail, a grep that stops reading
# early kills the writer with SIGPIPE, and the pipeline fails whatever grep found.)
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 nuget|maven|docs BUILD_DIR" >&2; exit 2; }
kind=$1
build_dir=$(cd "$2" && pwd)
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
# Outside the source tree, as users' projects are (out of reach of the repository's
# Directory.Build.props and NuGet.config), one folder per build tree and kind: emptied when a
# run starts and removed when it passes, so a failed run leaves it for a look.
work="${TMPDIR:-/tmp}/shmlink-release-test-$kind-$(echo "$build_dir" | md5sum | cut -c1-10)"
rm -rf "$work"
mkdir -p "$work"
export SHMLINK_BUILD_DIR="$build_dir" SHMLINK_DIST_DIR="$work/dist" SHMLINK_RELEASE_WORK_DIR="$work/scratch"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")
producer="$build_dir/bin/shmlink_channel_producer"
run_id="$$-$RANDOM"
messages=200

fail() { echo "release_bindings_test $kind: $*" >&2; exit 1; }
step() { echo "--- $*"; }
# Lists an archive's entries (zip: .nupkg, .snupkg, .jar).
entries() { unzip -Z1 "$1"; }
expect_entry() { entries "$1" | grep -xF "$2" >/dev/null || fail "$(basename "$1") has no $2"; }

# receive_from_producer WHAT COMMAND...: the C producer sends $messages messages on a fresh
# channel; COMMAND receive NAME COUNT must take them all, in order, and end cleanly.
receive_from_producer() {
  local what=$1 name="shmlink-release-test.$kind.$run_id.$RANDOM" status=0 producer_status=0
  shift
  timeout -k 5 60 "$producer" "$name" $messages >"$work/producer.out" 2>&1 &
  local producer_pid=$!
  timeout -k 5 60 "$@" receive "$name" $messages >"$work/consumer.out" 2>&1 || status=$?
  wait $producer_pid || producer_status=$?
  if [ $status -ne 0 ] || [ $producer_status -ne 0 ] ||
      ! grep -qx "received $messages messages in order.*" "$work/consumer.out"; then
    cat "$work/producer.out" "$work/consumer.out" >&2
    fail "$what receiving from the C producer: exit $status (producer: $producer_status)"
  fi
  echo "$what: $(cat "$work/consumer.out")"
}

case "$kind" in
nuget)
  step "scripts/package-nuget.sh"
  "$source_dir/scripts/package-nuget.sh"
  package="$work/dist/ShmLink.$version.nupkg"
  symbols="$work/dist/ShmLink.$version.snupkg"
  for entry in lib/net8.0/ShmLink.Managed.dll lib/net8.0/ShmLink.Managed.xml README.md ShmLink.nuspec \
      runtimes/linux-x64/native/libshmlink.so.1 runtimes/linux-x64/native/libshmlink_csharp.so; do
    expect_entry "$package" "$entry"
  done
  # The Windows natives the build tree names, when they were built.
  for rid in win-x64 win-x86; do
    property=ShmLinkWindowsNativeFiles
    [ $rid = win-x86 ] && property=ShmLinkWindowsX86NativeFiles
    if grep -q "<$property>.\+</$property>" "$build_dir/bindings/csharp/ShmLink.Build.props"; then
      expect_entry "$package" runtimes/$rid/native/shmlink.dll
      expect_entry "$package" runtimes/$rid/native/shmlink_csharp.dll
    fi
  done
  unzip -p "$package" ShmLink.nuspec >"$work/ShmLink.nuspec"
  for pattern in "<license type=\"expression\">[A-Za-z0-9.-]+</license>" "<projectUrl>[^<]+</projectUrl>" \
      "<repository type=\"git\" url=\"[^\"]+\"[^>]* commit=\"[0-9a-f]{40}\"" "<readme>README.md</readme>" \
      "<version>$version</version>"; do
    grep -qE "$pattern" "$work/ShmLink.nuspec" || { cat "$work/ShmLink.nuspec" >&2; fail "the nuspec has no $pattern"; }
  done
  # The natives are stripped: no debug sections, no symbol table beyond the dynamic one.
  mkdir -p "$work/natives"
  (cd "$work/natives" && unzip -q "$package" 'runtimes/*')
  while IFS= read -r library; do
    if objdump -h "$library" | grep -E ' \.(debug_|symtab)' >/dev/null; then fail "$library is not stripped"; fi
  done < <(find "$work/natives" -type f -name '*.so*')
  while IFS= read -r library; do
    if x86_64-w64-mingw32-objdump -h "$library" | grep -E ' \.debug_' >/dev/null; then fail "$library is not stripped"; fi
  done < <(find "$work/natives" -type f -name '*.dll')
  # The symbols package: the portable PDB, with the sources inside it.
  expect_entry "$symbols" lib/net8.0/ShmLink.Managed.pdb
  unzip -p "$symbols" lib/net8.0/ShmLink.Managed.pdb >"$work/ShmLink.Managed.pdb"
  grep -qa "shmlinkPINVOKE.cs" "$work/ShmLink.Managed.pdb" || fail "the PDB names no SWIG-generated source"
  # Embedded sources (EmbedAllSources): custom debug information of kind
  # 0E8A571B-6926-466E-B4AD-8AB04611F5FE, in the PDB's GUID heap in its byte order.
  od -An -tx1 -v "$work/ShmLink.Managed.pdb" | tr -d ' \n' | grep 1b578a0e26696e46b4ad8ab04611f5fe >/dev/null ||
    fail "the PDB embeds no sources"

  step "made again: the same bytes"
  mkdir -p "$work/first"
  mv "$package" "$symbols" "$work/first/"
  "$source_dir/scripts/package-nuget.sh" >/dev/null
  cmp "$work/first/$(basename "$package")" "$package" || fail "a second pack made another .nupkg"
  cmp "$work/first/$(basename "$symbols")" "$symbols" || fail "a second pack made another .snupkg"

  step "a console program restoring ShmLink $version from the dist/ folder alone"
  consumer="$work/consumer"
  cp -r "$source_dir/tests/package/consumers/dotnet" "$consumer"
  mkdir -p "$consumer/feed"
  cp "$package" "$consumer/feed/"
  # No machine-wide package folder or configuration may supply ShmLink: the project's own.
  export NUGET_PACKAGES="$consumer/packages"
  (cd "$consumer" && timeout -k 5 300 dotnet build -c Release -nologo -v:minimal "-p:ShmLinkVersion=$version" -o "$work/portable")
  [ -f "$consumer/packages/shmlink/$version/shmlink.$version.nupkg" ] || fail "the restore did not take ShmLink from the feed"
  output=$(timeout -k 5 60 dotnet "$work/portable/consumer.dll")
  echo "framework-dependent: $output"
  [[ "$output" == "package ok: shmlink $version (X64, Linux)" ]] || fail "the consumer said: $output"
  (cd "$consumer" && timeout -k 5 300 dotnet publish -c Release -nologo -v:minimal "-p:ShmLinkVersion=$version" \
    -r linux-x64 --self-contained false -o "$work/publish")
  receive_from_producer "dotnet publish -r linux-x64" "$work/publish/consumer"
  ;;

maven)
  step "scripts/package-maven.sh"
  "$source_dir/scripts/package-maven.sh"
  artifact_dir="$work/dist/maven/org/shmlink/shmlink/$version"
  base="$artifact_dir/shmlink-$version"
  jar="$base.jar"
  for file in "$jar" "$base-sources.jar" "$base-javadoc.jar" "$base.pom"; do
    [ -f "$file" ] || fail "no $file"
    for sum in md5 sha1 sha256 sha512; do
      [ "$(${sum}sum "$file" | cut -d' ' -f1)" = "$(cat "$file.$sum")" ] || fail "$file.$sum does not match"
    done
  done
  [ -f "$work/dist/maven/org/shmlink/shmlink/maven-metadata.xml" ] || fail "no maven-metadata.xml"
  for entry in org/shmlink/Segment.class native/linux-x86_64/libshmlink.so.1 native/linux-x86_64/libshmlink_java.so \
      META-INF/maven/org.shmlink/shmlink/pom.xml; do
    expect_entry "$jar" "$entry"
  done
  expect_entry "$base-sources.jar" org/shmlink/Segment.java
  expect_entry "$base-javadoc.jar" org/shmlink/Segment.html
  unzip -p "$jar" META-INF/MANIFEST.MF | tr -d '\r' >"$work/MANIFEST.MF"
  grep -qx "Automatic-Module-Name: org.shmlink" "$work/MANIFEST.MF" || fail "the manifest has no Automatic-Module-Name"
  grep -qx "Implementation-Version: $version" "$work/MANIFEST.MF" || fail "the manifest has no Implementation-Version"
  mkdir -p "$work/natives"
  (cd "$work/natives" && unzip -q "$jar" 'native/*')
  while IFS= read -r library; do
    if objdump -h "$library" | grep -E ' \.(debug_|symtab)' >/dev/null; then fail "$library is not stripped"; fi
  done < <(find "$work/natives" -type f -name '*.so*')
  while IFS= read -r library; do
    if x86_64-w64-mingw32-objdump -h "$library" | grep -E ' \.debug_' >/dev/null; then fail "$library is not stripped"; fi
  done < <(find "$work/natives" -type f -name '*.dll')
  # The module name is one Java accepts.
  timeout -k 5 60 jar --describe-module --file "$jar" | grep "^org.shmlink" >/dev/null || fail "jar --describe-module finds no org.shmlink"

  step "made again: the same bytes"
  mkdir -p "$work/first"
  cp "$jar" "$base-sources.jar" "$base-javadoc.jar" "$base.pom" "$work/first/"
  "$source_dir/scripts/package-maven.sh" >/dev/null
  for file in "$jar" "$base-sources.jar" "$base-javadoc.jar" "$base.pom"; do
    cmp "$work/first/$(basename "$file")" "$file" || fail "a second run made another $(basename "$file")"
  done

  step "mvn install:install-file into a local repository, then mvn -o on a project that depends on it"
  # The local repository: Debian's Maven plugins (a tree of links into /usr/share/maven-repo,
  # which is left untouched) and what is installed here; Maven reaches nothing else (-o).
  [ -d /usr/share/maven-repo/org/apache/maven/plugins/maven-compiler-plugin ] ||
    fail "Debian's Maven plugins are missing (scripts/install-deps.sh test)"
  repository="$work/m2"
  mkdir -p "$repository"
  cp -rs /usr/share/maven-repo/. "$repository/"
  printf '<settings/>\n' >"$work/settings.xml"
  mvn=(timeout -k 5 300 mvn -o -B -q -Dstyle.color=never -s "$work/settings.xml" "-Dmaven.repo.local=$repository")
  "${mvn[@]}" install:install-file "-Dfile=$jar" "-DpomFile=$base.pom" \
    "-Dsources=$base-sources.jar" "-Djavadoc=$base-javadoc.jar"
  cmp "$repository/org/shmlink/shmlink/$version/shmlink-$version.jar" "$jar" ||
    fail "install:install-file did not install the jar"
  consumer="$work/consumer"
  cp -r "$source_dir/tests/package/consumers/maven" "$consumer"
  (cd "$consumer" && "${mvn[@]}" "-Dshmlink.version=$version" compile)
  classpath="$consumer/target/classes:$repository/org/shmlink/shmlink/$version/shmlink-$version.jar"
  output=$(timeout -k 5 60 env -u LD_LIBRARY_PATH java -cp "$classpath" consumer.App)
  echo "maven: $output"
  [[ "$output" == "package ok: shmlink $version (amd64)" ]] || fail "the Maven-built program said: $output"
  receive_from_producer "maven" java -cp "$classpath" consumer.App

  step "plain javac -cp shmlink-$version.jar"
  mkdir -p "$work/javac"
  javac -d "$work/javac" -cp "$jar" "$source_dir/tests/package/consumers/maven/src/main/java/consumer/App.java"
  output=$(timeout -k 5 60 env -u LD_LIBRARY_PATH java -cp "$jar:$work/javac" consumer.App)
  echo "javac: $output"
  [[ "$output" == "package ok: shmlink $version (amd64)" ]] || fail "the javac-built program said: $output"
  receive_from_producer "javac" java -cp "$jar:$work/javac" consumer.App
  ;;

docs)
  step "scripts/package-docs.sh"
  "$source_dir/scripts/package-docs.sh"
  ;;

*)
  fail "unknown kind (nuget, maven or docs)"
  ;;
esac

# Nothing this test made stays in /dev/shm (Global names, and Local ones in the user's
# directory shmlink.<uid>[.N]/object.<name>).
if compgen -G "/dev/shm/shmlink.*shmlink-release-test.$kind.$run_id.*" >/dev/null ||
   compgen -G "/dev/shm/shmlink.*/object.*shmlink-release-test.$kind.$run_id.*" >/dev/null; then
  find /dev/shm -name "*shmlink-release-test.$kind.$run_id*" >&2
  fail "left objects in /dev/shm"
fi
rm -rf "$work"
echo "release_bindings_test $kind: ok"
