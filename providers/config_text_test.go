package providers

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const osc52 = "\x1b]52;c;ZXZpbA==\x07"

func TestLoadConfigRefusesControlCharacters(t *testing.T) {
	const esc = `holds the control character U+001B (ESC, which starts escape sequences)`
	tests := []struct {
		name, yaml string
		env        map[string]string
		want       []string // the lines of the error, exactly
	}{
		{"OSC 52 in env", minimal + `    env: "prod\e]52;c;ZXZpbA==\a"` + "\n", nil, []string{
			`line 5: provider "p": env ` + esc + ` at byte 5; remove it`}},
		{"from a variable", minimal + "    audience: ${AUD}\n", map[string]string{"AUD": "https://api" + osc52}, []string{
			`line 5: provider "p": audience ` + esc + ` at byte 12; remove it`}},
		{"CSI in a scope points at its entry", minimal + "    scopes:\n      - read\n      - \"write\\e[2J\"\n", nil, []string{
			`line 7: provider "p": scopes entry 2 ` + esc + ` at byte 6; remove it`}},
		{"C1 in a params key and value point at the key", minimal + "    params:\n      tenant: acme\n      \"x\\u009d0;t\\u009c\": v\n      y: \"\\x9b31m\"\n", nil, []string{
			`line 7: provider "p": params key "x\u009d0;t\u009c" holds the control character U+009D at byte 2; remove it`,
			`line 8: provider "p": params["y"] holds the control character U+009B at byte 1; remove it`}},
		{"endpoint name, url and header", minimal + "    endpoints:\n      - {name: ok, url: https://x/}\n      - {name: \"i\\u0090tems\", url: \"https://x/\\x9b31m\", headers: {A: \"b\\e\"}}\n", nil, []string{
			`line 7: provider "p": endpoint "i\u0090tems": name holds the control character U+0090 at byte 2; remove it`,
			`line 7: provider "p": endpoint "i\u0090tems": url holds the control character U+009B at byte 11; remove it`,
			`line 7: provider "p": endpoint "i\u0090tems": header "A" ` + esc + ` at byte 2; remove it`}},
		{"bidi mark in the issuer", minimal + "    issuer: \"http://127.0.0.1:9/\\u200fevil\"\n", nil, []string{
			`line 5: provider "p": issuer holds the invisible character U+200F at byte 20; remove it`}},
		{"zero-width space in the client id", strings.Replace(minimal, "client_id: c", "client_id: \"c\\u200b\"", 1), nil, []string{
			`line 3: provider "p": client_id holds the invisible character U+200B at byte 2; remove it`}},
		{"bidi override in notes", minimal + "    notes: \"see\\u202etxt.exe\"\n", nil, []string{
			`line 5: provider "p": notes holds the bidi control U+202E at byte 4; remove it`}},
		{"a raw BEL is refused by YAML itself", minimal + "    notes: |\n      two\n      lines\a\n", nil, []string{
			"the config is not valid YAML: control characters are not allowed"}},
		{"dot as a name", "providers:\n  - name: .\n    client_id: c\n    token_url: https://auth.example.com/token\n", nil, []string{
			`line 2: provider ".": name "." is not allowed: "." and ".." name directories`}},
		{"dot dot as a name", "providers:\n  - name: ..\n    client_id: c\n    token_url: https://auth.example.com/token\n", nil, []string{
			`line 2: provider "..": name ".." is not allowed: "." and ".." name directories`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(strings.NewReader(tt.yaml), testEnv(tt.env))
			if err == nil {
				t.Fatalf("LoadConfig succeeded, want:\n%s", strings.Join(tt.want, "\n"))
			}
			if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("error:\n%s\nwant:\n%s", err, strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestLoadConfigKeepsMultiLineNotesAndBodies(t *testing.T) {
	yaml := minimal + "    notes: \"line one\\n\\tindented\\n\"\n    endpoints:\n      - {name: e, method: POST, url: https://x/, body: \"{\\n\\t\\\"a\\\": 1\\n}\"}\n"
	ps, err := LoadConfig(strings.NewReader(yaml), testEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].Notes != "line one\n\tindented\n" || ps[0].Endpoints[0].Body != "{\n\t\"a\": 1\n}" {
		t.Fatalf("notes %q, body %q", ps[0].Notes, ps[0].Endpoints[0].Body)
	}
}

// TestValidateChecksEveryTextField sets each text of a provider, one at a
// time, to an OSC 52 sequence: Validate must name that field. The fields
// are found by reflection, so one added later is covered (or this fails).
func TestValidateChecksEveryTextField(t *testing.T) {
	base := Provider{
		Name: "p", ClientID: "c", TokenURL: "https://auth.example.com/token",
		Params:    map[string]string{"k": "v"},
		Response:  &ResponseMapping{},
		Quota:     &Quota{Limit: 1, Per: PerDay},
		Endpoints: []Endpoint{{Name: "e", URL: "https://x/", Headers: map[string]string{"H": "v"}}},
	}
	if err := base.Validate(); err != nil {
		t.Fatalf("base: %v", err)
	}
	n := 0
	for path, set := range textSetters(reflect.ValueOf(&base).Elem(), "") {
		if path == "ClientSecret" {
			continue
		}
		p := base.clone()
		set(reflect.ValueOf(&p).Elem(), osc52)
		var problems []*Problem
		for _, e := range unjoin(p.Validate()) {
			var pr *Problem
			if errors.As(e, &pr) && strings.Contains(pr.Msg, "U+001B") {
				problems = append(problems, pr)
			}
		}
		if len(problems) == 0 {
			t.Errorf("%s holding OSC 52: Validate does not refuse it", path)
		}
		n++
	}
	if n < 30 {
		t.Fatalf("only %d text fields were tried", n)
	}
	secret := base
	secret.ClientSecret = "s3cr\x1bt"
	if err := secret.Validate(); err != nil {
		t.Errorf("a client secret is never shown, so any bytes go: %v", err)
	}
}

// textSetters maps the path of every string under v (fields, list
// entries, map keys and values) to a function that sets it in a copy.
func textSetters(v reflect.Value, path string) map[string]func(reflect.Value, string) {
	out := map[string]func(reflect.Value, string){}
	at := func(root reflect.Value) reflect.Value { return root }
	walkSetters(v, path, at, out)
	return out
}

func walkSetters(v reflect.Value, path string, at func(reflect.Value) reflect.Value, out map[string]func(reflect.Value, string)) {
	switch v.Kind() {
	case reflect.String:
		out[path] = func(root reflect.Value, s string) { at(root).SetString(s) }
	case reflect.Pointer:
		if !v.IsNil() {
			walkSetters(v.Elem(), path, func(root reflect.Value) reflect.Value { return at(root).Elem() }, out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			walkSetters(v.Field(i), strings.TrimPrefix(path+"."+v.Type().Field(i).Name, "."),
				func(root reflect.Value) reflect.Value { return at(root).Field(i) }, out)
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkSetters(v.Index(i), path+"[]", func(root reflect.Value) reflect.Value { return at(root).Index(i) }, out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			out[path+" key"] = func(root reflect.Value, s string) {
				m := at(root)
				val := m.MapIndex(k)
				m.SetMapIndex(k, reflect.Value{})
				m.SetMapIndex(reflect.ValueOf(s), val)
			}
			out[path+" value"] = func(root reflect.Value, s string) { at(root).SetMapIndex(k, reflect.ValueOf(s)) }
		}
	}
}

func TestCheckText(t *testing.T) {
	if err := CheckText("env", "prod", false); err != nil {
		t.Errorf("clean text refused: %v", err)
	}
	if err := CheckText("notes", "a\n\tb", true); err != nil {
		t.Errorf("lines refused where allowed: %v", err)
	}
	for in, want := range map[string]string{
		"a\nb":    `notes holds the control character U+000A at byte 2; remove it`,
		osc52:     `notes holds the control character U+001B (ESC, which starts escape sequences) at byte 1; remove it`,
		"\u009b":  `notes holds the control character U+009B at byte 1; remove it`,
		"x\u2066": `notes holds the bidi control U+2066 at byte 2; remove it`,
		"\ufeffx": `notes holds the invisible character U+FEFF at byte 1; remove it`,
		"x\xff":   `notes holds invalid UTF-8 at byte 2; remove it`,
	} {
		if err := CheckText("notes", in, false); err == nil || err.Error() != want {
			t.Errorf("CheckText(%q) = %v, want %s", in, err, want)
		}
	}
}
