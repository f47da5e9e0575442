// Debian's libxml2 is built with ICU, so libxml/encoding.h would include the
// system ICU's <unicode/ucnv.h>. A Swift file that also sees Foundation (which
// carries its own, newer ICU headers as _FoundationICU) then fails to compile:
// "'UErrorCode' has different definitions in different modules". saveimg never
// touches the ICU-only parts (two trailing pointer fields of
// xmlCharEncodingHandler), so they are left out of this module.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <libxml/xpath.h>
