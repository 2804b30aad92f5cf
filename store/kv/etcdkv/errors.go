package etcdkv

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tokentop/tokentop/store/kv"
)

// wrap words an error of the client for a user, naming the endpoints and
// the prefix (never the password).
func (b *Backend) wrap(what string, err error) error {
	code := status.Code(err)
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%s: %s: %w", b.cfg.where(), what, err)
	case errors.Is(err, context.DeadlineExceeded), code == codes.DeadlineExceeded, code == codes.Unavailable,
		errors.Is(err, rpctypes.ErrNoLeader), errors.Is(err, rpctypes.ErrTimeout):
		return kv.Errorf(kv.ErrUnreachable, err,
			"cannot reach %s while %s: %v (is the cluster up, and may this machine reach it?)", b.cfg.where(), what, err)
	case refusal(err):
		return fmt.Errorf("%s refused tokentop while %s: %w (check the user name, password and the user's role on the prefix)", b.cfg.where(), what, err)
	case errors.Is(err, rpctypes.ErrRequestTooLarge), errors.Is(err, rpctypes.ErrTooManyOps):
		return kv.Errorf(kv.ErrTooLarge, err, "%s refused a change as too large while %s: %v", b.cfg.where(), what, err)
	}
	return fmt.Errorf("%s: %s: %w", b.cfg.where(), what, err)
}

// refusal says whether err is the cluster refusing the user: no user
// given, a wrong password, or a user without the rights. Trying again
// cannot help.
func refusal(err error) bool {
	code := status.Code(err)
	return errors.Is(err, rpctypes.ErrAuthFailed) || errors.Is(err, rpctypes.ErrPermissionDenied) || errors.Is(err, rpctypes.ErrUserEmpty) ||
		errors.Is(err, rpctypes.ErrAuthNotEnabled) || code == codes.Unauthenticated || code == codes.PermissionDenied
}
