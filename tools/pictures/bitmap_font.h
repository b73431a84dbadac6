// A 5x7 bitmap font of the printable ASCII characters, for the labels the
// tools draw into pictures (png_image.h). The glyphs follow the classic
// HD44780 character ROM.
//
// Thread safety: read-only data; safe from any thread.
#ifndef SEMHASH_TOOLS_PICTURES_BITMAP_FONT_H_
#define SEMHASH_TOOLS_PICTURES_BITMAP_FONT_H_

#include <cstdint>

namespace semhash::pictures {

inline constexpr int kGlyphWidth = 5;
inline constexpr int kGlyphHeight = 7;
// Horizontal distance from one character to the next: a blank column apart.
inline constexpr int kGlyphAdvance = kGlyphWidth + 1;

// The kGlyphHeight rows of c's glyph, top row first; bit 4 of a row is its
// leftmost column. A character outside printable ASCII gets the glyph of '?'.
const uint8_t* GlyphRows(char c);

}  // namespace semhash::pictures

#endif  // SEMHASH_TOOLS_PICTURES_BITMAP_FONT_H_
