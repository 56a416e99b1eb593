#!/usr/bin/env bash
# Makes the Java binding's Maven artifacts as a file repository in dist/maven/:
#   org/shmlink/shmlink/<version>/shmlink-<version>.jar          the classes and the natives
#       (/native/<os>-<arch>/, stripped) of the build's shmlink.jar, a manifest with
#       Automatic-Module-Name org.shmlink, and META-INF/maven/org.shmlink/shmlink/pom.xml
#   org/shmlink/shmlink/<version>/shmlink-<version>-sources.jar  every source, SWIG's layer too
#   org/shmlink/shmlink/<version>/shmlink-<version>-javadoc.jar  the public API's javadoc
#   org/shmlink/shmlink/<version>/shmlink-<version>.pom          coordinates org.shmlink:shmlink
#   org/shmlink/shmlink/maven-metadata.xml, and .md5/.sha1/.sha256/.sha512 beside each file
# Use it as a repository (<url>file:///.../dist/maven</url>), copy it into a local one
# (~/.m2/repository), or install the jar with its pom:
#   mvn install:install-file -Dfile=shmlink-<version>.jar -DpomFile=shmlink-<version>.pom \
#       -Dsources=shmlink-<version>-sources.jar -Djavadoc=shmlink-<version>-javadoc.jar
# Needs the linux preset's build tree, built with the Java binding (the linux preset is).
# Every archive entry carries the last commit's time (SOURCE_DATE_EPOCH), so the same build
# gives the same bytes. Settings: see scripts/package-common.sh.
set -euo pipefail
source "$(dirname "$0")/package-common.sh"

group_id=org.shmlink
artifact_id=shmlink
built_jar="$build_dir/bin/shmlink.jar"
generated_sources="$build_dir/bindings/java/generated-src/org/shmlink"
[ -f "$built_jar" ] && [ -d "$generated_sources" ] ||
  die "$build_dir has no built shmlink.jar (configure with -DSHMLINK_BUILD_JAVA=ON, as the linux preset does, and build)"

stage="$work_dir/maven"
rm -rf "$stage"
mkdir -p "$stage/classes" "$stage/sources/org/shmlink" "$stage/javadoc"
repository="$dist_dir/maven"
artifact_dir="$repository/${group_id//.//}/$artifact_id/$version"
rm -rf "$repository/${group_id//.//}/$artifact_id"
mkdir -p "$artifact_dir"
base="$artifact_dir/$artifact_id-$version"

# jar FILE DIR [MANIFEST]: an archive of everything under DIR, entries in a fixed order with
# one fixed time stamp.
make_jar() {
  local file=$1 dir=$2 manifest=${3:-} arguments="$stage/jar-arguments"
  (cd "$dir" && find . -type f ! -path ./META-INF/MANIFEST.MF | LC_ALL=C sort | sed 's|^\./||') |
    while IFS= read -r entry; do printf -- '-C\n%s\n%s\n' "$dir" "$entry"; done >"$arguments"
  if [ -n "$manifest" ]; then
    jar --create --date="$source_date_iso" --file "$file" --manifest "$manifest" "@$arguments"
  else
    jar --create --date="$source_date_iso" --file "$file" --no-manifest "@$arguments"
  fi
}

# ---- The pom ----
license_file_note=""
[ -f "$shmlink_root/LICENSE" ] || license_file_note="
      <comments>No LICENSE file in the repository yet: MIT assumed by scripts/package-common.sh</comments>"
cat >"$base.pom" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>$group_id</groupId>
  <artifactId>$artifact_id</artifactId>
  <version>$version</version>
  <packaging>jar</packaging>
  <name>shmlink</name>
  <description>Named shared memory, signals (events), mutexes, semaphores and message channels between processes, with Win32 semantics on Linux and Windows. The jar carries its native libraries (Linux x86-64, Windows x64 and x86) and loads them itself. Java 17 or later.</description>
  <!-- The addresses are placeholders (.invalid) until the project has public ones. -->
  <url>$project_url</url>
  <licenses>
    <license>
      <name>$license_name</name>
      <url>$license_url</url>
      <distribution>repo</distribution>$license_file_note
    </license>
  </licenses>
  <scm>
    <url>$project_url</url>
    <connection>scm:git:$repository_url</connection>
    <tag>$source_commit</tag>
  </scm>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
</project>
EOF

# ---- The jar: the build's classes and natives, the natives stripped ----
(cd "$stage/classes" && jar --extract --file "$built_jar")
rm -f "$stage/classes/META-INF/MANIFEST.MF"
platforms=()
for library in "$stage/classes"/native/*/*; do
  strip_native_into "$library" "$(dirname "$library")"
done
for folder in "$stage/classes"/native/*/; do
  platforms+=("$(basename "$folder")")
done
mkdir -p "$stage/classes/META-INF/maven/$group_id/$artifact_id"
cp "$base.pom" "$stage/classes/META-INF/maven/$group_id/$artifact_id/pom.xml"
printf 'groupId=%s\nartifactId=%s\nversion=%s\n' "$group_id" "$artifact_id" "$version" \
  >"$stage/classes/META-INF/maven/$group_id/$artifact_id/pom.properties"
[ -f "$shmlink_root/LICENSE" ] && cp "$shmlink_root/LICENSE" "$stage/classes/META-INF/LICENSE"
cat >"$stage/MANIFEST.MF" <<EOF
Automatic-Module-Name: org.shmlink
Implementation-Title: shmlink
Implementation-Version: $version
Implementation-Vendor: shmlink
Specification-Title: shmlink
Specification-Version: $version
Bundle-License: $license_id
EOF
make_jar "$base.jar" "$stage/classes" "$stage/MANIFEST.MF"

# ---- Sources and javadoc ----
cp "$shmlink_root"/bindings/java/src/org/shmlink/*.java "$generated_sources"/*.java "$stage/sources/org/shmlink/"
make_jar "$base-sources.jar" "$stage/sources"
# The public API only (SWIG's layer is package-private); -notimestamp keeps dates out.
javadoc -quiet -notimestamp -Xdoclint:none --release 17 -encoding UTF-8 -docencoding UTF-8 -charset UTF-8 \
  -sourcepath "$stage/sources" -d "$stage/javadoc" \
  -windowtitle "shmlink $version Java API" -doctitle "shmlink $version: Java API (package org.shmlink)" \
  org.shmlink >"$stage/javadoc.log" 2>&1 || { cat "$stage/javadoc.log" >&2; die "javadoc failed"; }
# javadoc still dates each page in a <meta> line; the release date instead.
find "$stage/javadoc" -name '*.html' -exec sed -i \
  "s|<meta name=\"dc.created\" content=\"[0-9-]*\">|<meta name=\"dc.created\" content=\"${source_date_iso%%T*}\">|" {} +
make_jar "$base-javadoc.jar" "$stage/javadoc"

# ---- Repository metadata and checksums ----
cat >"$repository/${group_id//.//}/$artifact_id/maven-metadata.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>$group_id</groupId>
  <artifactId>$artifact_id</artifactId>
  <versioning>
    <latest>$version</latest>
    <release>$version</release>
    <versions>
      <version>$version</version>
    </versions>
    <lastUpdated>$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d%H%M%S)</lastUpdated>
  </versioning>
</metadata>
EOF
for file in "$base.jar" "$base-sources.jar" "$base-javadoc.jar" "$base.pom" \
    "$repository/${group_id//.//}/$artifact_id/maven-metadata.xml"; do
  write_checksums "$file"
done
note "$artifact_dir: $group_id:$artifact_id:$version (natives: ${platforms[*]}; license $license_id), sources, javadoc"
