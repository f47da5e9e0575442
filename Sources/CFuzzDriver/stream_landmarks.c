#include "CFuzzDriver.h"

// The stream harness's landmark scan (StreamHarness.swift, StreamLandmarks),
// in C so that it runs without libFuzzer's coverage instrumentation: the same
// scan in Swift compared every byte of a 60 KB stream through the
// instrumentation callbacks and took a third of each execution. Only Swift
// code is built with -sanitize=fuzzer; this file is not.
void saveimg_fuzz_stream_landmarks(const uint8_t *s, size_t n,
                                   size_t *sections, size_t *section_count,
                                   size_t *records, size_t max_records, size_t *record_count,
                                   ptrdiff_t *last_brace) {
    size_t found_sections = 0, found_records = 0;
    for (size_t i = 8; i + 6 <= n; i++) {
        // A section header: type 1 or 4, a u32 id, a printable idstr.
        if ((s[i] == 1 || s[i] == 4) && i + 6 < n) {
            size_t length = s[i + 5];
            if (length > 0 && i + 6 + length <= n) {
                size_t k = 0;
                while (k < length && s[i + 6 + k] >= 0x20 && s[i + 6 + k] < 0x7f) k++;
                if (k == length) sections[found_sections++] = i;
            }
        }
        // A RAM record: the flags byte (last of a u64) with ZERO/PAGE/MEM_SIZE/EOS bits and a name or CONTINUE.
        if (i >= 7 && (s[i] & 0x3e) != 0 && (s[i] & ~0x3e) == 0 && found_sections < 64 && found_records < max_records) {
            size_t k = i - 7;
            while (k < i - 1 && s[k] < 0x10) k++;
            if (k == i - 1) records[found_records++] = i - 7;
        }
    }
    // The last '{' (where the VM description's JSON starts), -1 if none.
    ptrdiff_t brace = -1;
    for (size_t i = n; i > 0; i--) {
        if (s[i - 1] == '{') { brace = (ptrdiff_t)(i - 1); break; }
    }
    *last_brace = brace;
    *section_count = found_sections;
    *record_count = found_records;
}
