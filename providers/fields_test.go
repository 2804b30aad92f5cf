package providers

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestFieldsCoverProvider: every yaml key of Provider has one entry in
// Fields and every entry names a key, so a setting added to the struct
// without its entry (or the reverse) fails here.
func TestFieldsCoverProvider(t *testing.T) {
	var tags []string
	pt := reflect.TypeFor[Provider]()
	for i := range pt.NumField() {
		name, _, _ := strings.Cut(pt.Field(i).Tag.Get("yaml"), ",")
		tags = append(tags, name)
	}
	var keys []string
	for _, f := range Fields() {
		if slices.Contains(keys, f.Key) {
			t.Errorf("%s is in Fields twice", f.Key)
		}
		keys = append(keys, f.Key)
		if f.Flag != "" && f.Set == nil {
			t.Errorf("%s has the flag --%s but no Set", f.Key, f.Flag)
		}
		if f.Page > 0 && (f.Label == "" || f.Get == nil || f.Set == nil) {
			t.Errorf("%s is in the form without a label, Get or Set", f.Key)
		}
	}
	slices.Sort(tags)
	slices.Sort(keys)
	if !slices.Equal(tags, keys) {
		t.Fatalf("Provider's yaml keys:\n%v\nFields:\n%v", tags, keys)
	}
}

// TestFieldsSetThenGet: a form field's text survives Set then Get.
func TestFieldsSetThenGet(t *testing.T) {
	for key, text := range map[string]string{
		"name": "p", "env": "prod", "preset": "okta", "token_url": "https://x/t", "auth_style": "post",
		"client_id": "c", "scopes": "a b", "audience": "https://api", "quota": "50/day",
	} {
		f, ok := FieldByKey(key)
		if !ok || f.Page == 0 {
			t.Fatalf("%s is not a form field", key)
		}
		var p Provider
		if err := f.Set(&p, text); err != nil {
			t.Fatalf("%s: Set(%q): %v", key, text, err)
		}
		if got := f.Get(&p); got != text {
			t.Errorf("%s: Get = %q after Set(%q)", key, got, text)
		}
	}
}

// TestFlagAndFormShareOneEntry: a setting that is both a flag of
// `tokentop add` and a form field is one entry of the table, and blank
// text (a cleared form field, --param "") clears it.
func TestFlagAndFormShareOneEntry(t *testing.T) {
	for _, c := range []struct {
		key, flag string
		kind      FlagKind
		text      string
	}{
		{"default_lifetime", "default-lifetime", FlagDuration, "20m0s"},
		{"insecure_http", "insecure-http", FlagBool, "true"},
		{"timeout", "timeout", FlagDuration, "1m30s"},
		{"params", "param", FlagList, "tenant=acme"},
	} {
		f, ok := FieldByKey(c.key)
		if !ok || f.Flag != c.flag || f.FlagKind != c.kind || f.Usage == "" || f.Page == 0 || f.Label == "" {
			t.Fatalf("%s: want the flag --%s and a form field: %+v", c.key, c.flag, f)
		}
		var p Provider
		if err := f.Set(&p, c.text); err != nil {
			t.Fatalf("%s: Set(%q): %v", c.key, c.text, err)
		}
		if got := f.Get(&p); got != c.text {
			t.Errorf("%s: Get = %q after Set(%q)", c.key, got, c.text)
		}
		if err := f.Set(&p, ""); err != nil {
			t.Fatalf("%s: Set(\"\"): %v", c.key, err)
		}
		if !reflect.DeepEqual(p, Provider{}) {
			t.Errorf("%s: blank text should clear it: %+v", c.key, p)
		}
	}
}

// TestFieldProblemUsesTheConfigWording: the form's message for a field is
// the providers file's, without the provider's name.
func TestFieldProblemUsesTheConfigWording(t *testing.T) {
	p := Provider{Name: "p", ClientID: "c", TokenURL: "not a url"}
	if err := p.FieldProblem("token_url"); err == nil || err.Error() != `token_url "not a url" is not an absolute http(s) URL` {
		t.Fatalf("FieldProblem(token_url) = %v", err)
	}
	if !strings.Contains(p.Validate().Error(), `provider "p": token_url "not a url" is not an absolute http(s) URL`) {
		t.Fatalf("Validate = %v", p.Validate())
	}
	if err := p.FieldProblem("client_id"); err != nil {
		t.Fatalf("FieldProblem(client_id) = %v", err)
	}
	p.Env = "a\x1b]52;c;x\a"
	if err := p.FieldProblem("env"); err == nil || !strings.HasPrefix(err.Error(), "env holds") {
		t.Fatalf("FieldProblem(env) = %v", err)
	}
}

// benchProvider is a provider with a preset that fills several settings.
var benchProvider = Provider{
	Name: "bench", Preset: "entra", Issuer: "https://login.microsoftonline.com/tenant/v2.0",
	ClientID: "c", ClientSecret: "s", Resource: "https://graph.microsoft.com",
	Params: map[string]string{"a": "b"}, Quota: &Quota{Limit: 1000, Per: PerMonth},
}

// BenchmarkResolve is what every fetch pays to resolve a provider's
// settings (before the split, Effective also built the descriptions).
func BenchmarkResolve(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := benchProvider.Resolve(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDescribe is what show, diff and the detail pay.
func BenchmarkDescribe(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := benchProvider.Describe(); err != nil {
			b.Fatal(err)
		}
	}
}
