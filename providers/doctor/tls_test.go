package doctor

import (
	"crypto/tls"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/netcheck"
)

// TestDoctorTLSSettings: the TLS step trusts the provider's ca_file, and a
// ca_file it cannot use fails the step naming the setting to fix.
func TestDoctorTLSSettings(t *testing.T) {
	noProxy(t)
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the TLS step hangs up after the handshake
	srv.StartTLS()
	defer srv.Close()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ca := write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	notPEM := write("not.pem", []byte("not a certificate"))
	p := providers.Provider{Name: "tls", TokenURL: srv.URL + "/token", ClientID: "id", ClientSecret: "secret"}

	tlsStep := func(t *testing.T, p providers.Provider) check.Check {
		t.Helper()
		d := Run(t.Context(), &providers.Client{}, p, Options{})
		return checkNamed(t, d, netcheck.StepTLS)
	}
	good := p
	good.CAFile = ca
	wantStatus(t, tlsStep(t, good), check.Pass, tls.VersionName(tls.VersionTLS13))

	bad := p
	bad.CAFile = notPEM
	ch := tlsStep(t, bad)
	wantStatus(t, ch, check.Fail, "ca_file")
	if !strings.Contains(ch.Hint, "fix ca_file") {
		t.Fatalf("ca_file hint %q", ch.Hint)
	}

}
