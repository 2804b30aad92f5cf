// Package storetest holds the store's scenarios that every backend must
// pass with several clients on one set of data (several Stores on one
// bbolt file, or on one etcd prefix each with its own client), and the
// small token server they fetch from. Only tests import it: the store's
// own for bbolt, etcdkv's for etcd, so the etcd server is linked into
// etcdkv's test binary alone.
package storetest
