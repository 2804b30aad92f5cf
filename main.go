// Command tokentop is a terminal dashboard and CLI for OAuth2
// client-credentials tokens. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/tokentop/tokentop/cli"
	"github.com/tokentop/tokentop/internal/earlyterm"
	_ "github.com/tokentop/tokentop/internal/fastpath" // its init answers a cached `tokentop token NAME`
)

func main() {
	// The user's TERM, which earlyterm hid from package initialisation.
	earlyterm.Restore()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.NewApp().Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
