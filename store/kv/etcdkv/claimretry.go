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
	return retryIdempotent(ctx, func() error { return b.claim(ctx) },
		func(err error) bool { return errors.Is(err, kv.ErrForeign) })
}

// retryIdempotent runs op, and again every claimRetryWait while ctx lasts
// when it fails, for an op that does the same whether it ran before or
// not (a member that is stopping answers "server stopped" or "raft:
// stopped", which the client does not retry on another member for a
// transaction). A refusal of the user, or an error final says is final,
// is returned at once.
func retryIdempotent(ctx context.Context, op func() error, final func(error) bool) error {
	for {
		err := op()
		if err == nil || refusal(err) || (final != nil && final(err)) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(claimRetryWait):
		}
	}
}
