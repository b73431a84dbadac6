// How the tools show one stored image: its code in hex, its address in
// binary, its payload as text or hex, and the whole record as text lines or
// one JSON object (`semhash get`, `semhash inspect --id`).
#ifndef SEMHASH_TOOLS_RECORD_TEXT_H_
#define SEMHASH_TOOLS_RECORD_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "semhash/codes.h"
#include "semhash/db.h"

namespace semhash::cli {

// Two lowercase hex digits per byte, first byte first.
std::string Hex(CodeView bytes);

// Bit 0 (the most significant used bit) first.
std::string Binary(Address address, uint32_t address_bits);

// Whether a payload is shown as it is ("utf-8": valid UTF-8 with no control
// character but tab, newline and carriage return) or in hex ("hex").
bool PayloadIsText(std::string_view payload);
// "utf-8" or "hex", as PayloadIsText decides.
std::string_view PayloadEncoding(std::string_view payload);
// The payload as it is, or in hex (Hex) when it is not text.
std::string PayloadShown(std::string_view payload);

// `record` (image `id`) on stdout: indented lines, or with `json` one object
// {id, address, address_binary, code, payload_bytes, payload_encoding,
// payload}.
void PrintRecord(uint64_t id, const Record& record, uint32_t address_bits,
                 bool json);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_RECORD_TEXT_H_
