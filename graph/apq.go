package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/numo/accounts/internal/apperr"
)

// Automatic persisted queries (APQ, Apollo's protocol, version 1): a client sends only the
// SHA-256 of its query in extensions.persistedQuery.sha256Hash; when the server does not know
// the hash it answers PERSISTED_QUERY_NOT_FOUND and the client sends the query with the hash,
// which the server checks and keeps. The cache is per process and bounded (APQCacheSize
// entries of at most MaxPersistedQueryBytes): with several processes, or after a restart or an
// eviction, a client just sends its query once more, as the protocol expects. A persisted
// query then goes through everything a sent one does (bounds, validation, cost, depth, the
// rate limit, authorization), and over GET it may only be a query (405 otherwise).

// APQCacheSize is how many persisted queries a process keeps (least recently used go first).
const APQCacheSize = 1000

// MaxPersistedQueryBytes is the largest query kept: 1,000 of them take at most 32 MiB. A
// larger one runs, but is not kept: its hash alone is always PERSISTED_QUERY_NOT_FOUND.
const MaxPersistedQueryBytes = 32 << 10

// persistedQueries looks hashes up and keeps the queries sent with their hash. A query is
// kept only once it parsed and validated (MutateOperationContext), so the cache never holds
// what could not run.
type persistedQueries struct {
	extensionBase
	cache graphql.Cache[string]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = persistedQueries{}

func newPersistedQueries() persistedQueries {
	return persistedQueries{cache: lru.New[string](APQCacheSize)}
}

// ExtensionName names the extension for gqlgen.
func (persistedQueries) ExtensionName() string { return "AutomaticPersistedQuery" }

// apqStats is the key of gqlgen's extension.ApqStats in the operation's stats, so that
// extension.GetApqStats reads what this extension records.
const apqStats = "APQ"

// MutateOperationParameters fills in the query of a known hash, or checks the hash of a query
// sent with one.
func (p persistedQueries) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	ext, ok := raw.Extensions["persistedQuery"].(map[string]any)
	if !ok {
		if raw.Extensions["persistedQuery"] != nil {
			return apqRefusal("extensions.persistedQuery is geen object.", "extensions.persistedQuery is not an object.")
		}
		return nil
	}
	if v, ok := toInt(ext["version"]); !ok || v != 1 {
		return apqRefusal("Alleen versie 1 van persisted queries wordt ondersteund.", "Only version 1 of persisted queries is supported.")
	}
	hash, _ := ext["sha256Hash"].(string)
	hash = strings.ToLower(hash)
	if b, err := hex.DecodeString(hash); err != nil || len(b) != sha256.Size {
		return apqRefusal("sha256Hash is geen SHA-256 in hexadecimale cijfers.", "sha256Hash is not a SHA-256 in hexadecimal digits.")
	}
	if raw.Query == "" {
		q, ok := p.cache.Get(ctx, hash)
		if !ok {
			// Apollo's and urql's clients recognise this message and code: do not translate.
			return &gqlerror.Error{Message: "PersistedQueryNotFound",
				Extensions: map[string]any{"code": apperr.CodePersistedQueryNotFound}}
		}
		raw.Query = q
		graphql.GetOperationContext(ctx).Stats.SetExtension(apqStats, &extension.ApqStats{Hash: hash})
		return nil
	}
	if sum := sha256.Sum256([]byte(raw.Query)); hex.EncodeToString(sum[:]) != hash {
		return apqRefusal("sha256Hash is niet de SHA-256 van deze query.", "sha256Hash is not the SHA-256 of this query.")
	}
	graphql.GetOperationContext(ctx).Stats.SetExtension(apqStats, &extension.ApqStats{Hash: hash, SentQuery: true})
	return nil
}

// MutateOperationContext keeps a query that was sent with its hash, now that it validated.
func (p persistedQueries) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if s, _ := oc.Stats.GetExtension(apqStats).(*extension.ApqStats); s != nil && s.SentQuery && len(oc.RawQuery) <= MaxPersistedQueryBytes {
		p.cache.Add(ctx, s.Hash, oc.RawQuery)
	}
	return nil
}

// apqRefusal refuses a malformed persistedQuery extension.
func apqRefusal(nl, en string) *gqlerror.Error {
	return refusal(apperr.CodeBadRequest, nl, en, nil)
}
