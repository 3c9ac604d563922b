package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

var oneTimePassword = regexp.MustCompile(`one-time password:\s+(\S+)`)

// firstAdmin runs `numo school first-admin` and returns the one-time password it printed ("":
// none) and its stdout.
func firstAdmin(t *testing.T, url, brin string, extra ...string) (string, string) {
	t.Helper()
	code, out, errOut := numoCmd(append([]string{"school", "first-admin", "--brin", brin, "--db", url}, extra...)...)
	if code != 0 {
		t.Fatalf("numo school first-admin %v: exit %d\n%s%s", extra, code, out, errOut)
	}
	if m := oneTimePassword.FindStringSubmatch(out); m != nil {
		return m[1], out
	}
	return "", out
}

// login signs in at the server through the real POST /api/login; it returns the status, the
// session cookie and whether the password must be changed first.
func (p *process) login(t *testing.T, brin, user, password string) (int, *http.Cookie, bool) {
	t.Helper()
	resp := testapp.Login(t, p.base, brin, user, password)
	defer resp.Body.Close()
	var got struct{ MustChangePassword bool }
	json.NewDecoder(resp.Body).Decode(&got) //nolint:errcheck // a refusal has no such field
	for _, c := range resp.Cookies() {
		if c.Name == "numo_session" {
			return resp.StatusCode, c, got.MustChangePassword
		}
	}
	return resp.StatusCode, nil, got.MustChangePassword
}

// signedIn reports whether the session cookie still stands for a viewer.
func (p *process) signedIn(t *testing.T, c *http.Cookie) bool {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.base+"/query", strings.NewReader(`{"query":"{ viewer { mustChangePassword } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(c)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body) //nolint:errcheck // a short body fails the check below
	return strings.Contains(b.String(), `"mustChangePassword":true`)
}

// TestFirstAdminCommand: a `numo serve` whose stderr is no terminal logs no password but
// names the school and `numo school first-admin`; that command prints a one-time password that
// signs in (and must be changed), changes nothing when run again, and with --reset gives a new
// one and ends the admin's sessions.
func TestFirstAdminCommand(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		if code, out, errOut := numoCmd("school", "create", "--brin", "01FA", "--name", "School 01FA", "--db", url); code != 0 {
			t.Fatalf("numo school create: exit %d\n%s%s", code, out, errOut)
		}
		p := startNumo(t, url) // stderr is a pipe here, as under a service manager
		if log := p.log.String(); !strings.Contains(log, "school=01FA") || !strings.Contains(log, "numo school first-admin --brin 01FA") {
			t.Errorf("numo serve does not say which school needs numo school first-admin:\n%s", log)
		}

		pw, out := firstAdmin(t, url, "01FA")
		if pw == "" || !strings.Contains(out, "beheer") || !strings.Contains(out, "01FA") {
			t.Fatalf("numo school first-admin printed no school, username and one-time password:\n%s", out)
		}
		code, session, must := p.login(t, "01FA", "beheer", pw)
		if code != http.StatusOK || !must || session == nil {
			t.Fatalf("sign-in with the one-time password: %d mustChangePassword=%v, want 200 true", code, must)
		}

		again, out := firstAdmin(t, url, "01FA")
		if again != "" || !strings.Contains(out, "nothing changed") {
			t.Errorf("numo school first-admin again changed something:\n%s", out)
		}
		if code, _, _ := p.login(t, "01FA", "beheer", pw); code != http.StatusOK {
			t.Errorf("after running it again the one-time password signs in: %d, want 200", code)
		}

		reset, _ := firstAdmin(t, url, "01FA", "--reset")
		if reset == "" || reset == pw {
			t.Fatalf("--reset printed no new password (%q, was %q)", reset, pw)
		}
		if p.signedIn(t, session) {
			t.Error("--reset left the admin's session signed in")
		}
		if code, _, _ := p.login(t, "01FA", "beheer", pw); code != http.StatusUnauthorized {
			t.Errorf("the old password after --reset: %d, want 401", code)
		}
		if code, _, must := p.login(t, "01FA", "beheer", reset); code != http.StatusOK || !must {
			t.Errorf("sign-in with the reset password: %d mustChangePassword=%v, want 200 true", code, must)
		}
		withStore(t, url, func(ctx context.Context, db *store.DB) {
			if n := db.Client.AuditEvent.Query().Where(auditevent.Action("first_admin_reset")).CountX(ctx); n != 1 {
				t.Errorf("%d first_admin_reset audit events, want 1", n)
			}
		})
		for _, secret := range []string{pw, reset} {
			if strings.Contains(p.log.String(), secret) {
				t.Errorf("a one-time password is in the server's log:\n%s", p.log.String())
			}
		}
	})
}

// TestFirstAdminCommandErrors: bad usage exits 2, an unknown school 1 with how to create it.
func TestFirstAdminCommandErrors(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		for _, c := range []struct {
			name   string
			args   []string
			code   int
			stderr string
		}{
			{"no --brin", []string{"school", "first-admin", "--db", url}, 2, "--brin is required"},
			{"unknown flag", []string{"school", "first-admin", "--brin", "01FA", "--wachtwoord", "x", "--db", url}, 2, "flag provided but not defined"},
			{"unknown school", []string{"school", "first-admin", "--brin", "00ZZ", "--db", url}, 1, "numo school create --brin 00ZZ"},
			{"unknown subcommand", []string{"school", "admin"}, 2, "numo school first-admin"},
		} {
			t.Run(c.name, func(t *testing.T) {
				code, out, errOut := numoCmd(c.args...)
				if code != c.code || !strings.Contains(errOut, c.stderr) || out != "" {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, errOut, c.code, c.stderr)
				}
			})
		}
	})
}

// TestHelpListsFirstAdmin: numo help names the command and its --reset.
func TestHelpListsFirstAdmin(t *testing.T) {
	if code, out, _ := numoCmd("help"); code != 0 || !strings.Contains(out, "numo school first-admin --brin 99XX [--reset]") {
		t.Errorf("numo help: exit %d without numo school first-admin:\n%s", code, out)
	}
}

// TestServeFirstAdminTerminal runs the real binary: on a terminal (a pseudo-terminal from
// script(1)) it prints the first admin's one-time password there, and it signs in; with stderr
// on /dev/null (a character device, but nobody reads it) it generates none.
func TestServeFirstAdminTerminal(t *testing.T) {
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is not installed: no pseudo-terminal")
	}
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		for _, brin := range []string{"02FA", "03FA"} {
			if code, out, errOut := numoCmd("school", "create", "--brin", brin, "--name", "School "+brin, "--db", url); code != 0 {
				t.Fatalf("numo school create: exit %d\n%s%s", code, out, errOut)
			}
		}
		addr := freePort(t)
		devNull := exec.Command(numoBinary(t), "serve", "--addr", addr, "--db", url, "--demo=false")
		if err := devNull.Start(); err != nil { // stdout and stderr: /dev/null
			t.Fatal(err)
		}
		waitHealthy(t, addr)
		devNull.Process.Signal(syscall.SIGTERM)
		devNull.Wait()
		if pw, _ := firstAdmin(t, url, "02FA"); pw == "" {
			t.Error("numo serve with stderr on /dev/null generated a password that nobody saw")
		}

		addr = freePort(t)
		var out testapp.Logs
		cmd := exec.Command(scriptBin, "-qfec", strings.Join([]string{numoBinary(t), "serve", "--addr", addr, "--db", "'" + url + "'", "--demo=false"}, " "), "/dev/null")
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM); cmd.Wait() }()
		waitHealthy(t, addr)
		m := oneTimePassword.FindStringSubmatch(out.String())
		if m == nil || !strings.Contains(out.String(), "03FA") {
			t.Fatalf("numo serve on a terminal printed no one-time password for 03FA:\n%s", out.String())
		}
		p := &process{base: "http://" + addr}
		if code, _, must := p.login(t, "03FA", "beheer", m[1]); code != http.StatusOK || !must {
			t.Errorf("sign-in with the password from the terminal: %d mustChangePassword=%v, want 200 true", code, must)
		}
	})
}

// waitHealthy waits until numo answers /healthz at addr.
func waitHealthy(t *testing.T, addr string) {
	t.Helper()
	for range 200 {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("numo at %s did not become healthy", addr)
}
