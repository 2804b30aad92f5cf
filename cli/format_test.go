package cli

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// formatArgs are the arguments each command with both --json and
// --markdown needs to reach its flag checks.
var formatArgs = map[string][]string{
	"doctor":  {"auth0-prod"},
	"inspect": {"auth0-prod"},
}

// TestJSONWithMarkdownIsOneError gives --json and --markdown together to
// every command that has both: each refuses the same way (the same words,
// exit 2) before it opens the database or asks a server for anything.
func TestJSONWithMarkdownIsOneError(t *testing.T) {
	var both []string
	for _, c := range NewApp().NewRootCommand().Commands() {
		if c.Flags().Lookup("json") != nil && c.Flags().Lookup("markdown") != nil {
			both = append(both, c.Name())
		}
	}
	slices.Sort(both)
	if got := slices.Sorted(maps.Keys(formatArgs)); !slices.Equal(got, both) {
		t.Fatalf("commands with --json and --markdown: %v; the test covers %v", both, got)
	}

	e := newEnv(t)
	var first string
	for _, name := range both {
		for _, order := range [][]string{{"--json", "--markdown"}, {"--markdown", "--json"}} {
			argv := append(append([]string{name}, formatArgs[name]...), order...)
			out, errOut, code := e.run("", argv...)
			if code != ExitUsage || out != "" {
				t.Errorf("tokentop %s: exit %d, stdout %q", strings.Join(argv, " "), code, out)
			}
			if errOut != "tokentop: --json and --markdown cannot be used together; choose one\n" {
				t.Errorf("tokentop %s: stderr %q, want one line saying --json and --markdown cannot be used together", strings.Join(argv, " "), errOut)
			}
			if first == "" {
				first = errOut
			} else if errOut != first {
				t.Errorf("tokentop %s: %q, but another command said %q", strings.Join(argv, " "), errOut, first)
			}
		}
	}
	if _, err := os.Stat(e.db); !os.IsNotExist(err) {
		t.Errorf("the database was opened (stat: %v)", err)
	}
	if n := e.sb.TotalIssued(); n != 0 {
		t.Errorf("%d tokens were fetched", n)
	}
}

func TestOutputFormatFlags(t *testing.T) {
	tests := []struct {
		name    string
		formats []formatFlag
		argv    []string
		want    format
		wantErr bool
	}{
		{"none given", []formatFlag{jsonFlag("j"), markdownFlag("m")}, nil, formatText, false},
		{"json", []formatFlag{jsonFlag("j"), markdownFlag("m")}, []string{"--json"}, formatJSON, false},
		{"markdown", []formatFlag{markdownFlag("m"), jsonFlag("j")}, []string{"--markdown"}, formatMarkdown, false},
		{"both", []formatFlag{markdownFlag("m"), jsonFlag("j")}, []string{"--markdown", "--json"}, formatText, true},
		{"json only offered", []formatFlag{jsonFlag("j")}, []string{"--markdown"}, formatText, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o outputFormat
			var ran bool
			cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { ran = true; return nil }, SilenceErrors: true, SilenceUsage: true}
			o.Register(cmd, tt.formats...)
			cmd.SetArgs(tt.argv)
			err := cmd.Execute()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tt.wantErr)
			}
			if err != nil {
				if ran {
					t.Error("the command ran despite the error")
				}
				return
			}
			if got := o.Format(); got != tt.want {
				t.Errorf("Format() = %v, want %v", got, tt.want)
			}
			for _, f := range tt.formats {
				if fl := cmd.Flags().Lookup(f.format.flag()); fl == nil || fl.Usage != f.usage {
					t.Errorf("--%s: %+v, want the usage %q", f.format.flag(), fl, f.usage)
				}
			}
		})
	}
}
