# awk -f doc-comments.awk FILE: the Doxygen INPUT_FILTER of docs/Doxyfile. The public headers
# document each declaration in the comment just above it, in plain C and C++ comments (they
# are the contract that C89 compilers and readers see, so they carry no markup); this turns
# those comments into Doxygen's, so the pages carry the headers' own text:
#  - a /* */ block or a run of // lines ending right above a declaration: /** */ or ///;
#  - the first comment of the file: the file's description (@file);
#  - a comment at the end of a declaration's line (a #define's value, a field): /**< */ or ///<;
#  - section banners ("---- Types ----", "=====") and comments standing apart (a blank line
#    or a preprocessor line below them) stay plain comments.
# Line numbers are kept: lines are only ever changed, never added or removed.
function is_banner(text) { return text ~ /^[ \t]*(\/\*|\/\/)[ \t]*(----|====)/ }
function flush_pending(next_line,    i, attach, base) {
  if (count == 0) return
  attach = next_line !~ /^[ \t]*$/ && (next_line !~ /^[ \t]*#/ || next_line ~ /^[ \t]*#[ \t]*define/) \
    && next_line !~ /^[ \t]*}/ && !is_banner(pending[1])
  if (!seen_doc && !seen_code && !is_banner(pending[1])) {
    # The file's own description.
    # "@file NAME": the name must be given when text follows on the same line.
    base = FILENAME
    sub(/.*\//, "", base)
    if (style == "block") sub(/\/\*/, "/** @file " base, pending[1])
    else for (i = 1; i <= count; ++i) sub(/\/\//, (i == 1 ? "/// @file " base : "///"), pending[i])
    seen_doc = 1
  } else if (attach) {
    if (style == "block") sub(/\/\*/, "/**", pending[1])
    else for (i = 1; i <= count; ++i) sub(/\/\//, "///", pending[i])
  }
  for (i = 1; i <= count; ++i) print pending[i]
  count = 0
}
{
  line = $0
  if (in_block) {
    pending[++count] = line
    if (line ~ /\*\//) in_block = 0
    next
  }
  if (line ~ /^[ \t]*\/\*/ && line !~ /^[ \t]*\/\*\*/) {
    if (count > 0) flush_pending(line)
    style = "block"
    pending[++count] = line
    if (line !~ /\*\//) in_block = 1
    next
  }
  if (line ~ /^[ \t]*\/\// && line !~ /^[ \t]*\/\/\//) {
    if (count > 0 && style != "line") flush_pending(line)
    style = "line"
    pending[++count] = line
    next
  }
  flush_pending(line)
  if (line !~ /^[ \t]*$/) seen_code = 1
  # A comment at the end of a line of code describes what the line declares.
  if (line ~ /^[ \t]*#/ && line !~ /^[ \t]*#[ \t]*define/) {
    # An #include's or #if's own remark.
  } else if (line ~ /[^ \t].*[ \t]\/\*[^*].*\*\/[ \t]*$/ && line !~ /^[ \t]*\/\*/) sub(/[ \t]\/\*/, " /**<", line)
  else if (line ~ /[;,{][ \t]*\/\/[^\/]/) sub(/\/\//, "///<", line)
  print line
}
END { flush_pending("") }
