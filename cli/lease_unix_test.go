//go:build unix

package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The CLI helper process's input: the database its `tokentop token hang`
// uses.
const cliHelperDBEnv = "TOKENTOP_CLI_HELPER_DB"

// TestCLIHelperProcess is not a test: run by TestTokenAfterKill9 as a
// child process, it runs `tokentop token hang` as a user would.
func TestCLIHelperProcess(t *testing.T) {
	db := os.Getenv(cliHelperDBEnv)
	if db == "" {
		t.Skip("helper process for TestTokenAfterKill9")
	}
	os.Exit(NewApp().Run(context.Background(), []string{"--db", db, "token", "hang"}))
}

// TestTokenAfterKill9: `tokentop token` killed with SIGKILL in the middle
// of its fetch leaves its lease behind; the next `tokentop token` says
// whose lease it found and that its holder is gone, and fetches at once
// (the lease would last ten minutes, longer than the test may run).
func TestTokenAfterKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	var answer atomic.Bool
	asked := make(chan struct{}, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if !answer.Load() {
			asked <- struct{}{}
			<-r.Context().Done() // hang until the client goes away
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"after-the-kill","token_type":"Bearer","expires_in":3600}`)
	}))
	t.Cleanup(srv.Close)

	e := newEnv(t)
	yaml := fmt.Sprintf("providers:\n  - name: hang\n    token_url: %s/token\n    client_id: c\n    client_secret: s\n    timeout: 10m\n", srv.URL)
	f := filepath.Join(t.TempDir(), "hang.yaml")
	if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustRun("", "import", f)

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCLIHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), cliHelperDBEnv+"="+e.db)
	var childErr bytes.Buffer
	cmd.Stderr = &childErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-asked:
	case <-ctx.Done():
		t.Fatalf("the child never asked for a token: %s", childErr.String())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	answer.Store(true)

	out, errOut, code := e.run("", "token", "hang")
	if code != 0 || strings.TrimSpace(out) != "after-the-kill" {
		t.Fatalf("token after the kill: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	host, _ := os.Hostname()
	want := fmt.Sprintf("tokentop: the process that was fetching the token of hang (pid %d on host %s, started ", cmd.Process.Pid, host)
	if !strings.Contains(errOut, want) || !strings.Contains(errOut, "ago) is gone; fetching it again\n") {
		t.Fatalf("stderr %q does not say %q … is gone", errOut, want)
	}
}
