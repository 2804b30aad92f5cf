package providers

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/sandbox"
)

func TestBasicAuthWith(t *testing.T) {
	dec := func(h string) string {
		b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := dec(BasicAuthWith(BasicForm, "a b", "x+y/z=")); got != "a+b:x%2By%2Fz%3D" {
		t.Errorf("form: %q", got)
	}
	if got := dec(BasicAuthWith(BasicRaw, "a b", "x+y/z=")); got != "a b:x+y/z=" {
		t.Errorf("raw: %q", got)
	}
	if BasicAuth("id", "s+") != BasicAuthWith(BasicForm, "id", "s+") || BasicAuthWith("", "id", "s+") != BasicAuth("id", "s+") {
		t.Error("the default is not form")
	}
	if FormEncodingChanges("client-1", "abc.DEF_~-9") || !FormEncodingChanges("client", "a+b") || !FormEncodingChanges("a:b", "x") {
		t.Error("FormEncodingChanges")
	}
}

// A server that does not form-decode HTTP Basic (the sandbox's raw-basic
// client): the fetch's hint does not call the secret wrong, the doctor
// sends it raw once and names the setting, and the setting works.
func TestDoctorRawBasic(t *testing.T) {
	sb, ps, base := doctorSandboxWith(t, nil)
	sb.AddClient(sandbox.RawBasicClient())
	ps = providersOf(t, sb.ProvidersYAML(base))
	c := &Client{}
	p := ps["raw-basic"]
	if p.BasicEncoding != BasicRaw {
		t.Fatalf("the sandbox writes basic_encoding %q for raw-basic", p.BasicEncoding)
	}
	p.BasicEncoding = ""
	_, err := c.Fetch(t.Context(), p, FetchOptions{})
	if h := HintFor(err); !strings.Contains(h, "`tokentop doctor raw-basic`") || !strings.Contains(h, "basic_encoding: raw") || strings.Contains(h, "check the client id") {
		t.Fatalf("fetch with form-encoded Basic: %v; hint %q", err, h)
	}

	for _, style := range []AuthStyle{AuthBasic, AuthAuto} {
		q := p
		q.AuthStyle = style
		var asked []DoctorRetry
		fetch := directFetch(c, q)
		d := c.Doctor(t.Context(), q, DoctorOptions{Fetch: func(ctx context.Context, r DoctorRetry) (DoctorToken, error) {
			asked = append(asked, r)
			return fetch(ctx, r)
		}})
		ch := checkNamed(t, d, StepToken)
		wantStatus(t, ch, check.Fail, "sent raw it works")
		if !strings.Contains(ch.Hint, "set `basic_encoding: raw`") || !strings.Contains(ch.Hint, "the secret itself is right") {
			t.Errorf("%s: hint %q", style, ch.Hint)
		}
		if len(asked) != 2 || asked[1] != (DoctorRetry{AuthStyle: AuthBasic, BasicEncoding: BasicRaw}) {
			t.Errorf("%s: the doctor asked %+v", style, asked)
		}
		wantStatus(t, checkNamed(t, d, StepTestCall), check.Pass, "200 OK")
	}

	p.BasicEncoding = BasicRaw
	d := c.Doctor(t.Context(), p, DoctorOptions{Fetch: directFetch(c, p)})
	wantStatus(t, checkNamed(t, d, StepToken), check.Pass, "200 from")
}

// A secret that form-encoding leaves alone is not retried raw: a refusal
// then is about the credentials.
func TestDoctorNoRawRetryForPlainSecrets(t *testing.T) {
	_, ps := doctorSandbox(t)
	c := &Client{}
	p := ps["broken"]
	var asked []DoctorRetry
	fetch := directFetch(c, p)
	d := c.Doctor(t.Context(), p, DoctorOptions{Fetch: func(ctx context.Context, r DoctorRetry) (DoctorToken, error) {
		asked = append(asked, r)
		return fetch(ctx, r)
	}})
	wantStatus(t, checkNamed(t, d, StepToken), check.Fail, "with auth_style post too")
	for _, r := range asked {
		if r.BasicEncoding != "" {
			t.Errorf("retried raw: %+v", asked)
		}
	}
}

func TestLoadConfigBasicEncoding(t *testing.T) {
	const doc = `providers:
  - name: a
    token_url: https://auth.example.com/oauth2/token
    client_id: c
    client_secret: s
    auth_style: basic
    basic_encoding: %s
`
	ps, err := LoadConfig(strings.NewReader(fmt.Sprintf(doc, "raw")), nil)
	if err != nil || ps[0].BasicEncoding != BasicRaw {
		t.Fatalf("raw: %v %+v", err, ps)
	}
	_, err = LoadConfig(strings.NewReader(fmt.Sprintf(doc, "hex")), nil)
	if err == nil || !strings.Contains(err.Error(), "basic_encoding \"hex\" is not one of form") {
		t.Fatalf("hex: %v", err)
	}
}

// providersOf loads a providers file by name.
func providersOf(t *testing.T, doc string) map[string]Provider {
	t.Helper()
	ps, err := LoadConfig(strings.NewReader(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	byName := make(map[string]Provider, len(ps))
	for _, p := range ps {
		byName[p.Name] = p
	}
	return byName
}
