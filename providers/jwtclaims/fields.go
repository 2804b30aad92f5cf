package jwtclaims

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/tokentop/tokentop/providers/safetext"
)

// Field is one header parameter or claim, its value rendered as text
// (strings as they are, anything else as JSON), sanitised.
type Field struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// FieldsOf renders a JSON object as sorted, sanitised fields.
func FieldsOf(m map[string]any) []Field {
	out := make([]Field, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		var val string
		switch x := m[k].(type) {
		case string:
			val = x
		default:
			b, _ := json.Marshal(x)
			val = string(b)
		}
		out = append(out, Field{Key: safetext.Line(k), Value: safetext.Truncate(safetext.Line(val), 200)})
	}
	return out
}
