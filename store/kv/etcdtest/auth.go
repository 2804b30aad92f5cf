package etcdtest

import (
	"context"
	"crypto/rand"
	"fmt"

	"go.etcd.io/etcd/server/v3/etcdserver"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3client"
)

// enableAuth adds user with password in the root role and turns etcd's
// authentication on, through the member's in-process client. etcd wants a
// user named root before it enables auth: one is added, with a random
// password, when user is another.
func enableAuth(ctx context.Context, s *etcdserver.EtcdServer, user, password string) error {
	c := v3client.New(s)
	defer c.Close()
	if _, err := c.RoleAdd(ctx, "root"); err != nil {
		return fmt.Errorf("adding the root role: %w", err)
	}
	users := map[string]string{user: password}
	if user != "root" {
		users["root"] = rand.Text()
	}
	for u, pw := range users {
		if _, err := c.UserAdd(ctx, u, pw); err != nil {
			return fmt.Errorf("adding user %s: %w", u, err)
		}
		if _, err := c.UserGrantRole(ctx, u, "root"); err != nil {
			return fmt.Errorf("granting %s the root role: %w", u, err)
		}
	}
	if _, err := c.AuthEnable(ctx); err != nil {
		return fmt.Errorf("enabling auth: %w", err)
	}
	return nil
}
