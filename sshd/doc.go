// Package sshd serves the tokentop dashboard over SSH (tokentop serve), with
// charmbracelet/wish and its Bubble Tea middleware.
//
// Every session gets its own Bubble Tea program, lipgloss renderer and
// theme (built for the client's terminal: its TERM, its environment and
// the background colour it reports), its own window size, and OSC52 copies
// written to its own channel, so they reach the client's terminal. All
// sessions share one *store.Store, so its singleflight and lease make one
// token however many sessions ask at once.
//
// Only public keys are accepted, from an authorized_keys file and an
// optional file of admin keys; both are read again on every attempt, so a
// key added while the server runs works at once. With Options.Demo, a key
// has read-only access (no add, edit, delete or copy) unless it is an admin
// key. The server log records connections, key fingerprints, refusals and
// session starts and ends; never a token or a secret.
//
// With Options.Open any public key gets in (still no password), every
// session read-only but those of the keys in Options.AdminKeys;
// Options.Limits then bound what one address may do (a
// token bucket of new connections, a share of connections and sessions)
// and everybody together (sessions, connections, a handshake timeout), all
// in bounded memory. A session's output goes through a frame writer that
// drops whole frames for a client that reads too slowly, never buffering
// more than Options.FrameBuffer, and asks for a repaint once it caught up.
//
// Follow mode (Options.Follow, follow.go) lets one dashboard present and
// the others follow its view; Server.RunLocal runs the serving terminal's
// own dashboard in it, as the presenter.
//
// A client gets a terminal session and nothing else: the window size it
// asks for (pty-req, window-change) is bounded to ui.MaxWidth×ui.MaxHeight
// as the request arrives, and agent forwarding, X11, port forwarding and
// subsystems (sftp) are refused.
package sshd
