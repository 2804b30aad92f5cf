package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version describes this build: the module version (or "devel") and, when
// built from a checkout, the commit.
func Version() string {
	v, rev, dirty := "devel", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " (" + rev
		if dirty {
			v += ", modified"
		}
		v += ")"
	}
	return v
}

func (a *App) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print tokentop's version",
		Args:  args(0, 0),
		RunE:  func(*cobra.Command, []string) error { return a.runVersion() },
	}
}

// runVersion prints the version, the platform and the Go release.
func (a *App) runVersion() error {
	_, err := fmt.Fprintf(a.out, "tokentop %s\n", versionLine())
	return err
}

// versionLine is what `tokentop version` and `tokentop --version` print
// after "tokentop ": the version, the platform and the Go release.
func versionLine() string {
	return fmt.Sprintf("%s %s/%s %s", Version(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// setVersionFlag gives root --version, printing what `tokentop version`
// prints.
func setVersionFlag(root *cobra.Command) {
	root.Version = versionLine()
	root.SetVersionTemplate("tokentop {{.Version}}\n")
	// Declared here, cobra uses it instead of its own (which would take -v,
	// the verbose flag of history).
	root.Flags().Bool("version", false, "print tokentop's version, as tokentop version does")
}
