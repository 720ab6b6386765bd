package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

// client connects to the bus on first use, so "--help" and bad arguments need no server.
type client struct {
	env    Env
	url    string
	author string
	conn   *bus.Conn
	pub    *bus.Bulletins
	store  *delivery.Store
	// api, when set, is the editor's API: commands go through it instead of the bus.
	api *apiClient
}

func (c *client) connect(ctx context.Context) error {
	if c.conn != nil {
		return nil
	}
	dial := c.env.Dial
	if dial == nil {
		dial = func(ctx context.Context, url string) (*bus.Conn, error) {
			cfg := bus.ConnConfig{Name: "editor-cli"}
			if c.env.Getenv != nil {
				cfg = bus.LoadConnConfig(c.env.Getenv, "editor-cli") // NATS_CREDS, NATS_NKEY_SEED
			}
			cfg.URL = url
			return bus.Connect(ctx, cfg)
		}
	}
	conn, err := dial(ctx, c.url)
	if errors.Is(err, nats.ErrAuthorization) {
		return fmt.Errorf("%w (the bus wants a key: set NATS_NKEY_SEED to the hub's <data>/credentials/editor.nk, or NATS_CREDS)", err)
	}
	if err != nil {
		return fmt.Errorf("%w (is the hub running? start it with: go run ./services/hub)", err)
	}
	pub, err := bus.NewBulletins(ctx, conn.JS)
	if err != nil {
		conn.Close()
		return fmt.Errorf("%w (has the hub run once on this server? it creates the streams)", err)
	}
	store, err := delivery.NewStore(ctx, conn.JS)
	if err != nil {
		conn.Close()
		return err
	}
	c.conn, c.pub, c.store = conn, pub, store
	return nil
}

func (c *client) now() time.Time {
	if c.env.Now != nil {
		return c.env.Now()
	}
	return time.Now()
}

func (c *client) close() {
	if c.conn != nil {
		c.conn.Close()
	}
}
