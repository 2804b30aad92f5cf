package kv

import (
	"encoding/binary"
	"slices"

	"github.com/tokentop/tokentop/providers/safetext"
)

// tokentop's layout, as every backend keeps it.
const (
	// MetaBucket holds the schema version and the change counter.
	MetaBucket = "meta"
	// SchemaKey in MetaBucket marks the data as tokentop's: a bbolt file
	// without it that holds buckets of other names is another program's.
	SchemaKey = "schema"
	// ChangesKey in MetaBucket is the change counter (uint64 big-endian),
	// incremented by every Update that writes.
	ChangesKey = "changes"
)

// Buckets are tokentop's top-level buckets.
func Buckets() []string {
	return []string{"providers", "secrets", "tokens", "quota", "exchanges", "state", "leases", MetaBucket}
}

// IsTokentopBucket reports whether name is one of Buckets.
func IsTokentopBucket(name string) bool { return slices.Contains(Buckets(), name) }

// U64 encodes n as tokentop stores counters and sequence keys: 8 bytes,
// big-endian (so byte order is numeric order).
func U64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// GetU64 decodes U64's encoding; anything else reads as 0.
func GetU64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// maxHostLen bounds a host name read from shared data (a DNS name is at
// most 253 bytes).
const maxHostLen = 255

// Bounded is h as it may be shown: a host name read from data another
// machine wrote is cut to 255 bytes and made safe for a terminal.
func (h Holder) Bounded() Holder {
	host := h.Host
	if len(host) > maxHostLen {
		host = host[:maxHostLen]
	}
	h.Host = safetext.Line(host)
	return h
}
