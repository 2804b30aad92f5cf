package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// maxKeyFile bounds what `team add` reads of a public key file (an SSH
// ed25519 .pub is about 100 bytes).
const maxKeyFile = 64 << 10

// teamRow is one member in `tokentop team ls --json`.
type teamRow struct {
	Label       string `json:"label"`
	Type        string `json:"type"`
	Fingerprint string `json:"fingerprint"`
	Key         string `json:"key"`
	Added       string `json:"added,omitempty"`
}

func (a *App) teamCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "team",
		Short: "Who can read the secrets: the database's recipient list",
		Long: `The recipient list: the public keys (age X25519 "age1…" or SSH
"ssh-ed25519 …") every client secret, token and flight record is encrypted
to. Each member reads with their own identity: the key file beside the
database, then --identity FILE or TOKENTOP_IDENTITY (age identity files or
unencrypted OpenSSH ed25519 keys, separated by ':'), else ~/.ssh/id_ed25519.
With no list, everything is encrypted to the key file beside the database.`,
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var label string
	add := &cobra.Command{
		Use:   "add KEY|FILE",
		Short: "Add a member's public key and re-encrypt every secret to the new list",
		Long: `Add a public key to the recipient list: an age public key (age1…), an SSH
ed25519 public key ("ssh-ed25519 AAAA… comment", one argument), or a file
holding one (~/.ssh/id_ed25519.pub; - reads stdin). Every client secret, token
and flight record is re-encrypted to the new list in one transaction, so you
must be able to read them all. The first member must be you.`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error { return a.runTeamAdd(cmd.Context(), argv[0], label) },
	}
	add.Flags().StringVar(&label, "label", "", "the member's name in the list (default: the SSH key's comment)")
	rm := &cobra.Command{
		Use:   "rm KEY|LABEL",
		Short: "Remove a member and re-encrypt every secret to the others",
		Long: `Remove a member, named by label, fingerprint, public key or key file, and
re-encrypt every client secret, token and flight record to the remaining
members (to the key file beside the database when none remain). The removed
member cannot read what is written from now on, but may have kept what they
read before: rotate those secrets.`,
		Aliases: []string{"remove"},
		Args:    args(1, 1),
		RunE:    func(cmd *cobra.Command, argv []string) error { return a.runTeamRm(cmd.Context(), argv[0]) },
	}
	var out outputFormat
	ls := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List the members: label, key type, fingerprint",
		Args:    args(0, 0),
		RunE:    func(cmd *cobra.Command, _ []string) error { return a.runTeamLs(cmd.Context(), out) },
	}
	out.Register(ls, jsonFlag("print JSON (with the public keys)"))
	cmd.AddCommand(add, rm, ls)
	return cmd
}

// runTeamAdd adds the key given as text or in a file.
func (a *App) runTeamAdd(ctx context.Context, arg, label string) error {
	text, err := a.keyText(arg)
	if err != nil {
		return err
	}
	key, comment, err := store.ParsePublicKey(text)
	if err != nil {
		return fmt.Errorf("%s: %w", keyArgName(arg), err)
	}
	if label == "" {
		label = store.DefaultLabel(key, comment)
	}
	if err := store.CheckLabel(label); err != nil {
		return usagef("--label: %v", err)
	}
	var ch store.TeamChange
	err = a.withStore(ctx, func(st *store.Store) error {
		ch, err = st.AddMember(ctx, store.Member{Key: key, Label: label})
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.out, "added %s (%s %s): %s on the list\n", ch.Member.Label, ch.Member.Type(), ch.Member.Fingerprint(), members(ch.Members))
	a.printResealed(ch)
	return nil
}

// runTeamRm removes a member and says what must be rotated.
func (a *App) runTeamRm(ctx context.Context, which string) error {
	if text, err := a.keyText(which); err == nil && !looksLikeKey(which) {
		// A key file: the key in it names the member.
		if key, _, perr := store.ParsePublicKey(text); perr == nil {
			which = key
		}
	}
	var ch store.TeamChange
	err := a.withStore(ctx, func(st *store.Store) error {
		var err error
		ch, err = st.RemoveMember(ctx, which)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.out, "removed %s (%s %s): %s on the list\n", ch.Member.Label, ch.Member.Type(), ch.Member.Fingerprint(), members(ch.Members))
	a.printResealed(ch)
	if ch.Members == 0 {
		fmt.Fprintf(a.out, "the list is empty: everything is encrypted to the key file %s again\n", ch.KeyFile)
	}
	rotate := "the client secrets they could read"
	if len(ch.SecretsOf) > 0 {
		rotate = "the client secrets of " + strings.Join(ch.SecretsOf, ", ")
	}
	fmt.Fprintf(a.out, "warning: %s cannot read what is written from now on, but may have kept what they read before: "+
		"rotate %s at their providers (then tokentop add NAME --replace …) and revoke their tokens (tokentop revoke NAME)\n",
		ch.Member.Label, rotate)
	if ch.SelfRemoved {
		fmt.Fprintln(a.out, "warning: that was your own key: you cannot read what is written from now on")
	}
	return nil
}

// printResealed says what was re-encrypted.
func (a *App) printResealed(ch store.TeamChange) {
	to := "the new list"
	if ch.Members == 0 {
		to = "the key file"
	}
	fmt.Fprintf(a.out, "re-encrypted %s, %s and %s to %s\n",
		count(ch.Secrets, "client secret"), count(ch.Tokens, "token"), count(ch.Exchanges, "flight record"), to)
}

// runTeamLs lists the members, never their private keys (the list holds
// none).
func (a *App) runTeamLs(ctx context.Context, o outputFormat) error {
	var (
		list    []store.Member
		keyFile string
	)
	err := a.withStore(ctx, func(st *store.Store) error {
		var err error
		list, err = st.Team(ctx)
		keyFile = st.Path() + store.KeySuffix
		return err
	})
	if err != nil {
		return err
	}
	rows := make([]teamRow, 0, len(list))
	for _, m := range list {
		r := teamRow{Label: m.Label, Type: m.Type(), Fingerprint: m.Fingerprint(), Key: m.Key}
		if !m.Added.IsZero() {
			r.Added = m.Added.UTC().Format(time.RFC3339)
		}
		rows = append(rows, r)
	}
	if o.Format() == formatJSON {
		return safetext.EncodeJSON(a.out, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintf(a.out, "no recipient list: everything is encrypted to the key file %s (tokentop team add KEY starts one)\n", keyFile)
		return nil
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LABEL\tTYPE\tFINGERPRINT\tADDED")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", safetext.Line(r.Label), r.Type, r.Fingerprint, r.Added)
	}
	return tw.Flush()
}

// keyText is a key given on the command line: the text itself when it
// looks like a key, stdin for "-", else the file's content (bounded).
func (a *App) keyText(arg string) ([]byte, error) {
	if looksLikeKey(arg) {
		return []byte(arg), nil
	}
	var r io.Reader
	if arg == "-" {
		r = a.Stdin
	} else {
		f, err := os.Open(arg)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%s is neither a public key (age1…, ssh-ed25519 …) nor a file", arg)
			}
			return nil, fmt.Errorf("cannot read the key file %s: %w", arg, err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", keyArgName(arg), err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%s is larger than %d KiB: not a public key", keyArgName(arg), maxKeyFile>>10)
	}
	return data, nil
}

// looksLikeKey tells a key given as text from a file name.
func looksLikeKey(arg string) bool {
	return strings.HasPrefix(arg, "age1") || strings.HasPrefix(arg, "ssh-") || strings.HasPrefix(arg, "AGE-SECRET-KEY-")
}

// keyArgName names the argument in an error: the file, or "the key".
func keyArgName(arg string) string {
	switch {
	case looksLikeKey(arg):
		return "the key"
	case arg == "-":
		return "stdin"
	}
	return filepath.Clean(arg)
}

func members(n int) string { return count(n, "member") }

// count is "1 token", "3 tokens".
func count(n int, noun string) string { return fmt.Sprintf("%d %s", n, plurals(n, noun)) }
