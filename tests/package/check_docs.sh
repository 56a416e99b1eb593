#!/usr/bin/env bash
# check_docs.sh DOCS_DIR SOURCE_DIR: the API reference that scripts/package-docs.sh made covers
# the whole public API, as the sources declare it now:
#  - every SHMLINK_API function of shmlink.h has its entry (a Doxygen member title) on the
#    page of shmlink.h, with the header's own description (a paragraph under it),
#    and so has every function of shmlink_loader.h;
#  - every class of shmlink.hpp has a page;
#  - every public Java type of bindings/java has a javadoc page;
#  - every public C# type of bindings/csharp (and its folders but Internal/) has a docfx page;
#  - the index links to pages that exist.
# Prints what is missing and exits 1 if anything is.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 DOCS_DIR SOURCE_DIR" >&2; exit 2; }
docs=$1 source=$2
missing=0 checked=0
lack() { echo "check_docs: $*" >&2; missing=$((missing + 1)); }
has_page() { # has_page DESCRIPTION FILE...: one of the files exists
  local what=$1 file
  shift
  checked=$((checked + 1))
  for file in "$@"; do [ -f "$file" ] && return 0; done
  lack "no page for $what (looked for ${*#"$docs/"})"
}

# ---- C: the functions of shmlink.h and shmlink_loader.h ----
c_page="$docs/native/shmlink_8h.html"
c_functions=$(tr '\n' ' ' <"$source/include/shmlink/shmlink.h" |
  grep -oE 'SHMLINK_API[^;(]*SHMLINK_CALL[ *]*shmlink_[a-z0-9_]+\(' | grep -oE 'shmlink_[a-z0-9_]+\($' | tr -d '(' | sort -u)
[ -n "$c_functions" ] || lack "found no SHMLINK_API function in shmlink.h"
# Whether the member titled $1 on page $2 has text: a paragraph in its memdoc block.
described() {
  awk -v title=">$1()</h2>" '
    index($0, title) { found = 1 }
    found && !in_doc && /<div class="memdoc">/ { in_doc = 1; next }
    in_doc && /<p>/ { text = 1; exit }
    in_doc && /<\/div>/ { exit }
    END { exit !text }' "$2"
}
for function in $c_functions; do
  checked=$((checked + 1))
  if [ ! -f "$c_page" ] || ! grep -qF ">$function()</h2>" "$c_page"; then
    lack "$function has no entry in ${c_page#"$docs/"}"
  elif ! described "$function" "$c_page"; then
    lack "$function has an entry but no description (shmlink.h has no comment above it?)"
  fi
done
loader_page="$docs/native/shmlink__loader_8h.html"
# Its functions (helpers named with a trailing _ are internal).
for function in $(grep -oE '^[A-Za-z].*[ *]shmlink_loader_[a-z_]*[a-z]\(' "$source/include/shmlink/shmlink_loader.h" |
    grep -oE 'shmlink_loader_[a-z_]*[a-z]\($' | tr -d '(' | sort -u); do
  checked=$((checked + 1))
  [ -f "$loader_page" ] && grep -qF ">$function()</h2>" "$loader_page" ||
    lack "$function has no entry in ${loader_page#"$docs/"}"
done

# ---- C++: the classes of shmlink.hpp ----
for class in $(grep -oE '^(class|struct) [A-Z][A-Za-z]+ ' "$source/include/shmlink/shmlink.hpp" | cut -d' ' -f2 | sort -u); do
  has_page "the C++ class $class" "$docs"/native/classshmlink_1_1*"$class".html "$docs"/native/structshmlink_1_1*"$class".html
done

# ---- Java: the public types of package org.shmlink ----
for file in "$source"/bindings/java/src/org/shmlink/*.java; do
  type=$(grep -oE '^public ((final|abstract|sealed) )*(class|interface|enum|record) [A-Za-z]+' "$file" | awk '{print $NF}' || true)
  [ -n "$type" ] && has_page "the Java type org.shmlink.$type" "$docs/java/org/shmlink/$type.html"
done

# ---- C#: the public types of namespace ShmLink ----
for type in $(find "$source/bindings/csharp" -name '*.cs' ! -path '*/Internal/*' -exec cat {} + |
    grep -oE '^public ((sealed|static|abstract|readonly|unsafe|partial|ref) )*(class|struct|enum|interface|record) [A-Za-z]+' |
    awk '{print $NF}' | sort -u); do
  has_page "the C# type ShmLink.$type" "$docs/dotnet/api/ShmLink.$type.html"
done

# ---- The index's links ----
for link in $(grep -oE 'href="[^"]+"' "$docs/index.html" | sed 's/href="//; s/"$//'); do
  has_page "the index's link $link" "$docs/$link"
done

if [ "$missing" -ne 0 ]; then
  echo "check_docs: $missing of $checked entries missing" >&2
  exit 1
fi
echo "check_docs: all $checked public functions, types and links have their pages"
