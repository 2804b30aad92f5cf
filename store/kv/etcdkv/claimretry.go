package etcdkv

import (
	"context"
	"errors"
	"time"

	"github.com/tokentop/tokentop/store/kv"
)

// claimRetryWait is the pause between two tries of the prefix check.
const claimRetryWait = 100 * time.Millisecond

// claimRetrying is claim, tried again while ctx lasts when a member fails
// it (one stopping answers "server stopped", which the client does not
// retry on another member for a transaction). The check is idempotent: it
// writes only the marker of an empty prefix. A foreign prefix is not
// tried again, nor a refusal of the user.
func (b *Backend) claimRetrying(ctx context.Context) error {
	for {
		err := b.claim(ctx)
		if err == nil || errors.Is(err, kv.ErrForeign) || refusal(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(claimRetryWait):
		}
	}
}
