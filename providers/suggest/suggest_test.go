package suggest

import "testing"

func TestClosest(t *testing.T) {
	known := []string{"name", "client_id", "client_secret", "scopes", "scope_separator", "token_url"}
	for got, want := range map[string]string{
		"clientId":  "client_id",     // case, "_" and "-" ignored
		"scops":     "scopes",        // one edit
		"tokne_url": "token_url",     // a swap of neighbours
		"secret":    "client_secret", // a part of a key
		"zzzzzz":    "",
		"":          "",
	} {
		if s := Closest(got, known); s != want {
			t.Errorf("Closest(%q) = %q, want %q", got, s, want)
		}
	}
}
