package ui

// MaxWidth and MaxHeight are the largest window the dashboard draws for,
// in cells. A terminal, or an SSH client, can report any size up to
// 65535×65535 (`stty rows 65535 cols 65535` does it); the dashboard takes a
// larger one as MaxWidth×MaxHeight and draws in its top-left corner, so
// what a frame allocates never grows with the size a client asks for.
//
// 500×200 is wider and taller than a 4K screen of 8-point text; every
// frame costs time in proportion to its cells (a spinner tick redraws the
// whole frame), so a larger bound would let one SSH viewer spend a core
// at 12 frames a second.
const (
	MaxWidth  = 500
	MaxHeight = 200
)

// The smallest window the layout is computed for: the table's fixed
// columns and one cell of name wide, the header, three lines of body and
// the footer high. A smaller one gets the dashboard cut at its edges.
const (
	minWidth  = colMark + 1 + colStatus + 1 + colExpires + 1
	minHeight = 8
)

// ClampSize bounds a window size to 0…MaxWidth columns and 0…MaxHeight
// rows; a negative size counts as 0.
func ClampSize(width, height int) (int, int) {
	return min(max(width, 0), MaxWidth), min(max(height, 0), MaxHeight)
}
