package etcdtest

import (
	"context"
	"fmt"

	"go.etcd.io/etcd/server/v3/etcdserver"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3client"
)

// enableAuth adds user with password in the root role and turns etcd's
// authentication on, through the member's in-process client.
func enableAuth(ctx context.Context, s *etcdserver.EtcdServer, user, password string) error {
	c := v3client.New(s)
	defer c.Close()
	if _, err := c.UserAdd(ctx, user, password); err != nil {
		return fmt.Errorf("adding user %s: %w", user, err)
	}
	if _, err := c.RoleAdd(ctx, "root"); err != nil {
		return fmt.Errorf("adding the root role: %w", err)
	}
	if _, err := c.UserGrantRole(ctx, user, "root"); err != nil {
		return fmt.Errorf("granting %s the root role: %w", user, err)
	}
	if _, err := c.AuthEnable(ctx); err != nil {
		return fmt.Errorf("enabling auth: %w", err)
	}
	return nil
}
