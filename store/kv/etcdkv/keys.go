package etcdkv

import (
	"encoding/hex"
	"strings"

	"github.com/tokentop/tokentop/store/kv"
)

// Key layout, under the configured PREFIX:
//
//	PREFIX/meta/schema                  layoutMarker: the prefix is tokentop's
//	PREFIX/meta/writer/LEASE            the write lock's queue (concurrency.Mutex)
//	PREFIX/locks/HEX(name)/LEASE        a named lock's queue; its value is the holder (JSON)
//	PREFIX/data/DIR@b/HEX(name)         the bucket DIR/name exists (empty value)
//	PREFIX/data/DIR@k/HEX(key)          a key of the bucket at DIR
//	PREFIX/data/DIR@s                   the sequence of the bucket at DIR (uint64 BE)
//
// where DIR is HEX(name)/ for each bucket of the path, outermost first ("",
// the root, holds only bucket markers). Lower-case hex keeps byte order and
// prefixes, so a range over PREFIX/data/DIR@k/ is the bucket's keys in
// order, and deleting the range PREFIX/data/DIR deletes a bucket with all
// it holds. '@' is not a hex digit, so tags and names never meet.
type keys struct{ prefix string }

// layoutMarker is the value of PREFIX/meta/schema this package writes and
// accepts; any other is a layout it does not know.
const layoutMarker = "tokentop-kv/1"

func (k keys) marker() string       { return k.prefix + "/meta/schema" }
func (k keys) writer() string       { return k.prefix + "/meta/writer" }
func (k keys) all() string          { return k.prefix + "/" }
func (k keys) data() string         { return k.prefix + "/data/" }
func (k keys) lock(n string) string { return k.prefix + "/locks/" + hex.EncodeToString([]byte(n)) }

// dir is where bucket p's contents live.
func (k keys) dir(p kv.Path) string {
	var b strings.Builder
	b.WriteString(k.data())
	for _, n := range p {
		b.WriteString(hex.EncodeToString([]byte(n)))
		b.WriteByte('/')
	}
	return b.String()
}

// bucket is the marker of bucket p (not the root).
func (k keys) bucket(p kv.Path) string {
	return k.dir(p[:len(p)-1]) + "@b/" + hex.EncodeToString([]byte(p[len(p)-1]))
}

func (k keys) buckets(p kv.Path) string         { return k.dir(p) + "@b/" }
func (k keys) keys(p kv.Path) string            { return k.dir(p) + "@k/" }
func (k keys) key(p kv.Path, key []byte) string { return k.keys(p) + hex.EncodeToString(key) }
func (k keys) seq(p kv.Path) string             { return k.dir(p) + "@s" }

// change decodes a data key for Watch: the bucket under which it changed,
// and the key when it is one.
func (k keys) change(key string) kv.Change {
	rest, ok := strings.CutPrefix(key, k.data())
	if !ok {
		return kv.Change{}
	}
	p := kv.Path{}
	for rest != "" {
		seg, tail, _ := strings.Cut(rest, "/")
		switch seg {
		case "@k":
			raw, err := hex.DecodeString(tail)
			if err != nil {
				return kv.Change{}
			}
			return kv.Change{Bucket: p, Key: raw}
		case "@b", "@s":
			return kv.Change{Bucket: p}
		}
		name, err := hex.DecodeString(seg)
		if err != nil {
			return kv.Change{}
		}
		p = append(p, string(name))
		rest = tail
	}
	return kv.Change{}
}
