// Package qrtext draws a QR code as text a terminal can show: two modules
// per character cell with the half-block characters, so a phone camera
// can read it off a terminal, a dashboard overlay or an SSH session.
package qrtext

import (
	"errors"
	"fmt"
	"strings"

	"rsc.io/qr"
)

// MaxInput bounds what is encoded: a QR code of a URL or an ssh command,
// never a document. Longer text is refused rather than drawn unreadably
// small.
const MaxInput = 512

// quiet is the border of light modules a reader needs around the code
// (the standard asks for 4; 2 reads well on a dark terminal and saves
// rows).
const quiet = 2

// Render returns s as a QR code (error correction level M), dark modules
// drawn as light-on-dark so it reads on a dark terminal: each line is
// width characters of '█', '▀', '▄' and ' ', lines joined with "\n" and
// no trailing newline. It returns the code's width in cells as well.
func Render(s string) (text string, width int, err error) {
	if s == "" {
		return "", 0, errors.New("nothing to encode in a QR code")
	}
	if len(s) > MaxInput {
		return "", 0, fmt.Errorf("%d bytes is too long for a QR code here (at most %d)", len(s), MaxInput)
	}
	code, err := qr.Encode(s, qr.M)
	if err != nil {
		return "", 0, fmt.Errorf("encoding the QR code: %w", err)
	}
	n := code.Size + 2*quiet
	// light reports whether the module at (x, y) is drawn lit: the
	// quiet zone and the code's light modules, so the code reads as
	// dark-on-light on a terminal's dark background.
	light := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		if x < 0 || y < 0 || x >= code.Size || y >= code.Size {
			return true
		}
		return !code.Black(x, y)
	}
	var b strings.Builder
	b.Grow((n + 1) * (n/2 + 1) * 3)
	for y := 0; y < n; y += 2 {
		if y > 0 {
			b.WriteByte('\n')
		}
		for x := range n {
			top := light(x, y)
			bottom := y+1 < n && light(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteByte(' ')
			}
		}
	}
	return b.String(), n, nil
}
