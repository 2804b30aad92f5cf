// Package safetext is tokentop's one terminal-safety boundary.
//
// Text is data until it is drawn. Whatever its source (a server's answer,
// a providers.yaml someone shared, a flag, a file, a database an older
// version wrote), text reaches a terminal, a --json or a --markdown writer
// only through this package:
//
//   - [Sanitize] and [Line] clean a string for display: ANSI escape
//     sequences (CSI, OSC, DCS, …), C0 and C1 control characters, bidi
//     overrides, invisible characters (zero-width spaces and joiners,
//     bidi marks, U+FEFF) and invalid UTF-8 are dropped; newlines and
//     tabs are kept by Sanitize and folded into spaces by Line.
//   - [Writer] does the same to a stream, whatever the size of each write,
//     so a command that writes through it cannot write a raw escape.
//   - [EncodeJSON] writes JSON whose strings carry C1 controls, U+2028,
//     U+2029, bidi overrides and invisible characters as \u escapes: the
//     same data, but no byte a terminal acts on (encoding/json leaves
//     U+0080–U+009F raw).
//   - [Value] sanitises every string of a struct (a deep copy), for code
//     that draws what it is given: the dashboard takes its data through
//     it where the data arrives.
//   - [FirstUnsafe] finds what a config field must not hold, so bad text is
//     refused where it comes in, before it is stored.
//
// The package has no state and does no work at init.
package safetext
