package doctor

import (
	"context"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// A server that does not form-decode HTTP Basic (the sandbox's raw-basic
// client): the fetch's hint does not call the secret wrong, the doctor
// sends it raw once and names the setting, and the setting works.
func TestDoctorRawBasic(t *testing.T) {
	sb, ps, base := doctorSandboxWith(t, nil)
	sb.AddClient(sandbox.RawBasicClient())
	ps = providersOf(t, sb.ProvidersYAML(base))
	c := &providers.Client{}
	p := ps["raw-basic"]
	if p.BasicEncoding != providers.BasicRaw {
		t.Fatalf("the sandbox writes basic_encoding %q for raw-basic", p.BasicEncoding)
	}
	p.BasicEncoding = ""
	_, err := c.Fetch(t.Context(), p, providers.FetchOptions{})
	if h := providers.HintFor(err); !strings.Contains(h, "`tokentop doctor raw-basic`") || !strings.Contains(h, "basic_encoding: raw") || strings.Contains(h, "check the client id") {
		t.Fatalf("fetch with form-encoded Basic: %v; hint %q", err, h)
	}

	for _, style := range []providers.AuthStyle{providers.AuthBasic, providers.AuthAuto} {
		q := p
		q.AuthStyle = style
		var asked []Retry
		fetch := directFetch(c, q)
		d := Run(t.Context(), c, q, Options{Fetch: func(ctx context.Context, r Retry) (Fetched, error) {
			asked = append(asked, r)
			return fetch(ctx, r)
		}})
		ch := checkNamed(t, d, StepToken)
		wantStatus(t, ch, check.Fail, "sent raw it works")
		if !strings.Contains(ch.Hint, "set `basic_encoding: raw`") || !strings.Contains(ch.Hint, "the secret itself is right") {
			t.Errorf("%s: hint %q", style, ch.Hint)
		}
		if len(asked) != 2 || asked[1] != (Retry{AuthStyle: providers.AuthBasic, BasicEncoding: providers.BasicRaw}) {
			t.Errorf("%s: the doctor asked %+v", style, asked)
		}
		wantStatus(t, checkNamed(t, d, StepTestCall), check.Pass, "200 OK")
	}

	p.BasicEncoding = providers.BasicRaw
	d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
	wantStatus(t, checkNamed(t, d, StepToken), check.Pass, "200 from")
}

// A secret that form-encoding leaves alone is not retried raw: a refusal
// then is about the credentials.
func TestDoctorNoRawRetryForPlainSecrets(t *testing.T) {
	_, ps := doctorSandbox(t)
	c := &providers.Client{}
	p := ps["broken"]
	var asked []Retry
	fetch := directFetch(c, p)
	d := Run(t.Context(), c, p, Options{Fetch: func(ctx context.Context, r Retry) (Fetched, error) {
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

// providersOf loads a providers file by name.
func providersOf(t *testing.T, doc string) map[string]providers.Provider {
	t.Helper()
	ps, err := providers.LoadConfig(strings.NewReader(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	byName := make(map[string]providers.Provider, len(ps))
	for _, p := range ps {
		byName[p.Name] = p
	}
	return byName
}
