package settings

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// colorNames are the 16 ANSI colours by name; the terminal's own palette
// draws them.
func colorNames() [16]string {
	return [...]string{
		"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
		"bright-black", "bright-red", "bright-green", "bright-yellow", "bright-blue", "bright-magenta", "bright-cyan", "bright-white",
	}
}

// ParseColor reads a colour: an ANSI name (red, bright-red; gray is
// bright-black), a number from 0 to 255, or #RRGGBB (#RGB).
func ParseColor(s string) (lipgloss.Color, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "gray" || v == "grey" {
		v = "bright-black"
	}
	for i, n := range colorNames() {
		if v == n {
			return lipgloss.Color(strconv.Itoa(i)), nil
		}
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 || n > 255 {
			return "", fmt.Errorf("colour %d is not between 0 and 255", n)
		}
		return lipgloss.Color(v), nil
	}
	if hex, ok := strings.CutPrefix(v, "#"); ok && (len(hex) == 6 || len(hex) == 3) {
		if _, err := strconv.ParseUint(hex, 16, 32); err == nil {
			return lipgloss.Color(v), nil
		}
	}
	return "", fmt.Errorf("%q is not a colour: use a name (red, bright-blue …), a number from 0 to 255, or #RRGGBB", s)
}
