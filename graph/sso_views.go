package graph

import (
	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/graph/model"
)

// ssoSettings shows a school's single sign-on settings: everything but the client secret, of
// which only whether one is stored.
func ssoSettings(p *ent.SSOProvider) *model.SsoSettings {
	return &model.SsoSettings{Issuer: p.Issuer, ClientID: p.ClientID, HasSecret: p.ClientSecret != "",
		Match: model.SsoMatch(p.Match), Claim: p.Claim, Enabled: p.Enabled, Label: p.Label, UpdatedAt: p.UpdatedAt}
}
