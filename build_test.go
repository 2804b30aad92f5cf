package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The helpers of the tests and benchmarks that run tokentop as a user's
// shell does: the binary built by `go build`, a process per command.

// goTool is the go command, or the test is skipped without one.
func goTool(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		tb.Skipf("no go command to build with: %v", err)
	}
	return p
}

// buildTokentop builds this module's command into dir with `go build` and
// the extra flags given, and returns the binary's path.
func buildTokentop(tb testing.TB, dir string, flags ...string) string {
	tb.Helper()
	return buildTokentopEnv(tb, dir, nil, flags...)
}

// staticBuild is the build the README offers script-heavy machines: no
// cgo (a static binary: no dynamic loader, no libc to map at start), no
// build paths, and gRPC without golang.org/x/net/trace (whose
// html/template would initialise in every process for tracing tokentop
// never turns on).
var staticBuild = struct {
	env   []string
	flags []string
}{[]string{"CGO_ENABLED=0"}, []string{"-trimpath", "-tags", "grpcnotrace"}}

// buildTokentopEnv is buildTokentop with env added to go build's
// environment (CGO_ENABLED=0…).
func buildTokentopEnv(tb testing.TB, dir string, env []string, flags ...string) string {
	tb.Helper()
	bin := filepath.Join(dir, "tokentop")
	args := append([]string{"build", "-o", bin}, flags...)
	cmd := exec.Command(goTool(tb), append(args, ".")...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// buildProgram builds a one-file main package, src, into dir as name. Its
// module requires the given modules of this one at this module's versions
// (go.sum copied), so it builds from the module cache alone.
func buildProgram(tb testing.TB, dir, name, src string, requires ...string) string {
	tb.Helper()
	goCmd := goTool(tb)
	pkg := filepath.Join(dir, name+"-src")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		tb.Fatal(err)
	}
	mod := "module " + name + "\n\ngo 1.26.0\n"
	if len(requires) > 0 {
		list := exec.Command(goCmd, append([]string{"list", "-m", "-f", "{{.Path}} {{.Version}}"}, requires...)...)
		out, err := list.Output()
		if err != nil {
			tb.Fatalf("go list -m %s: %v", strings.Join(requires, " "), err)
		}
		mod += "\nrequire (\n"
		for line := range strings.Lines(string(out)) {
			mod += "\t" + line
		}
		mod += ")\n"
		sum, err := os.ReadFile("go.sum")
		if err != nil {
			tb.Fatal(err)
		}
		writeFile(tb, filepath.Join(pkg, "go.sum"), string(sum))
	}
	writeFile(tb, filepath.Join(pkg, "go.mod"), mod)
	writeFile(tb, filepath.Join(pkg, "main.go"), src)
	bin := filepath.Join(dir, name)
	cmd := exec.Command(goCmd, "build", "-o", bin, ".")
	cmd.Dir = pkg
	// The module cache has every module this one builds with: no network.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("building %s: %v\n%s", name, err, out)
	}
	return bin
}

func writeFile(tb testing.TB, path, text string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// processEnv is the test's environment without TOKENTOP_ variables or
// TERM, plus extra.
func processEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TOKENTOP_") && !strings.HasPrefix(kv, "TERM=") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}
