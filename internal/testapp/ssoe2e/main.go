// Command ssoe2e runs what the single sign-on e2e test (frontend/e2e/sso.test.mjs) needs: a
// numo server on a fresh SQLite database with the invented school of testdata/sso/e2e.json
// (an admin with a known password, an active and an archived pupil) and a real OpenID
// provider on loopback (internal/auth/oidc/oidctest: zitadel's op) whose users are that
// file's providerUsers and whose client is numo. When both listen it prints one JSON line
// {"numo", "issuer", "clientId", "clientSecret", "brin", "adminUsername", "adminPassword"}
// and serves until stdin closes or a signal comes. Test-only: never part of the numo binary.
//
//	go run ./internal/testapp/ssoe2e -fixture testdata/sso/e2e.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/app"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/oidc"
	"github.com/numo/accounts/internal/auth/oidc/oidctest"
	"github.com/numo/accounts/internal/config"
)

// fixture is testdata/sso/e2e.json.
type fixture struct {
	School struct{ Name, Brin string }
	Admin  person
	Pupils []person
	// ProviderUsers are the provider's accounts.
	ProviderUsers []struct{ Subject, Username, Name, Email string }
}

type person struct {
	FirstName, Infix, LastName, Username, Email, Class, Key string
	Archived                                                bool
}

const (
	clientID      = "numo-e2e"
	clientSecret  = "e2e-client-secret-not-for-production"
	adminPassword = "sso-e2e-Beheer-Wachtwoord-2026"
)

func main() {
	path := flag.String("fixture", "testdata/sso/e2e.json", "the school and provider users")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*path, log); err != nil {
		fmt.Fprintln(os.Stderr, "ssoe2e:", err)
		os.Exit(1)
	}
}

func run(path string, log *slog.Logger) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var fx fixture
	if err := json.Unmarshal(raw, &fx); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	dir, err := os.MkdirTemp("", "numo-sso-e2e-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg, err := config.Load([]string{"--addr", "127.0.0.1:0", "--db", "file:" + filepath.Join(dir, "numo.db"), "--demo=false"},
		func(string) string { return "" })
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { io.Copy(io.Discard, os.Stdin); stop() }() //nolint:errcheck // stdin closing ends the run
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := seed(a.DB().Client, fx); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	op, err := oidctest.Start(oidctest.Options{ClientID: clientID, ClientSecret: clientSecret})
	if err != nil {
		return err
	}
	defer op.Close()
	for _, u := range fx.ProviderUsers {
		op.AddUser(oidctest.User{Subject: u.Subject, Username: u.Username, Name: u.Name, Email: u.Email})
	}
	return a.Serve(ctx, func(addr net.Addr) {
		base := "http://" + addr.String()
		op.AddRedirectURI(base + oidc.CallbackPath)
		// Chromium may reach numo as localhost too.
		op.AddRedirectURI("http://localhost:" + fmt.Sprint(addr.(*net.TCPAddr).Port) + oidc.CallbackPath)
		json.NewEncoder(os.Stdout).Encode(map[string]string{"numo": base, "issuer": op.Issuer, "clientId": clientID, //nolint:errcheck // the test reads it
			"clientSecret": clientSecret, "brin": fx.School.Brin, "adminUsername": fx.Admin.Username, "adminPassword": adminPassword})
	})
}

// seed creates the school, its admin (with adminPassword, already chosen) and its pupils.
func seed(c *ent.Client, fx fixture) error {
	ctx := auth.System(context.Background())
	sch, err := c.School.Create().SetName(fx.School.Name).SetBrin(fx.School.Brin).Save(ctx)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(adminPassword)
	if err != nil {
		return err
	}
	ad := fx.Admin
	if err := c.Account.Create().SetSchoolID(sch.ID).SetRole(account.RoleADMIN).SetFirstName(ad.FirstName).SetLastName(ad.LastName).
		SetUsername(ad.Username).SetEmail(ad.Email).SetPasswordHash(hash).Exec(ctx); err != nil {
		return err
	}
	classes := map[string]int{}
	for _, p := range fx.Pupils {
		if _, ok := classes[p.Class]; !ok {
			cl, err := c.Class.Create().SetSchoolID(sch.ID).SetName(p.Class).Save(ctx)
			if err != nil {
				return err
			}
			classes[p.Class] = cl.ID
		}
		cr := c.Account.Create().SetSchoolID(sch.ID).SetRole(account.RolePUPIL).SetFirstName(p.FirstName).SetInfix(p.Infix).
			SetLastName(p.LastName).SetUsername(p.Username).SetEmail(p.Email).SetExternalKey(p.Key).SetClassID(classes[p.Class])
		if p.Archived {
			cr.SetStatus(account.StatusARCHIVED)
		}
		if err := cr.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
