package providers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/tokentop/tokentop/providers/safetext"
)

// ResolveSecret returns the client secret to send: the value of
// p.ClientSecretRef when one is set (env:VAR, file:PATH or cmd:COMMAND,
// resolved now and never stored), else p.ClientSecret. lookupEnv nil means
// os.LookupEnv. Trailing newlines of files and commands are dropped.
func ResolveSecret(ctx context.Context, p Provider, lookupEnv func(string) (string, bool)) (string, error) {
	ref := strings.TrimSpace(p.ClientSecretRef)
	if ref == "" {
		return p.ClientSecret, nil
	}
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	kind, arg, _ := strings.Cut(ref, ":")
	switch kind {
	case "env":
		v, ok := lookupEnv(arg)
		if !ok {
			return "", fmt.Errorf("client_secret_ref %s: the environment variable %s is not set", ref, arg)
		}
		return v, nil
	case "file":
		b, err := os.ReadFile(expandHome(arg))
		if err != nil {
			return "", fmt.Errorf("client_secret_ref %s: %w", ref, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	case "cmd":
		return runSecretCommand(ctx, arg, ref)
	}
	return "", fmt.Errorf("client_secret_ref %q: want env:VAR, file:PATH or cmd:COMMAND", ref)
}

func runSecretCommand(ctx context.Context, command, ref string) (string, error) {
	shell, flag := "/bin/sh", "-c"
	if runtime.GOOS == "windows" {
		shell, flag = "cmd", "/C"
	}
	cmd := exec.CommandContext(ctx, shell, flag, command)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := safetext.Line(Truncate(stderr.String(), 200))
		var exit *exec.ExitError
		if errors.As(err, &exit) && msg != "" {
			return "", fmt.Errorf("client_secret_ref %s failed: %s: %w", ref, msg, err)
		}
		return "", fmt.Errorf("client_secret_ref %s failed: %w", ref, err)
	}
	out := strings.TrimRight(stdout.String(), "\r\n")
	if out == "" {
		return "", fmt.Errorf("client_secret_ref %s printed nothing", ref)
	}
	return out, nil
}

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			return h + p[1:]
		}
	}
	return p
}
