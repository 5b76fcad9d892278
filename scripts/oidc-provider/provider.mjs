// A real OpenID Connect provider on loopback, standing in for a province's 统一身份认证 in the
// tests (tests/sites/oidc_helpers.py starts it) and the demo (manage.py run_demo_oidc_provider).
//
// It is the node `oidc-provider` package (installed into var/node/oidc-provider by
// scripts/system-packages.sh) with a small configuration read from a JSON file named on the
// command line:
//   {"issuer": "http://127.0.0.1:8339", "port": 8339,
//    "client": {"client_id": "...", "client_secret": "...", "redirect_uris": [...],
//               "post_logout_redirect_uris": [...], "backchannel_logout_uri": "...",
//               "backchannel_logout_session_required": true},
//    "accounts": [{"username": "...", "password": "...", "sub": "...", "name": "...",
//                  "email": "...", "amr": ["pwd", "otp"], "acr": "..."}]}
// Authorization code flow only, PKCE (S256) required for every client, RP-initiated and
// back-channel logout on. Its login screen checks the accounts' passwords; the first-party
// client needs no consent screen. Signing keys are made afresh at every start unless
// "signing_key" (a private RSA JWK) is given.
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { lookup as dnsLookup } from 'node:dns';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The package lives in var/node/oidc-provider (git-ignored), not next to this file.
const modules = process.env.OIDC_PROVIDER_NODE_MODULES;
const { default: Provider } = await import(pathToFileURL(join(modules, 'oidc-provider', 'lib', 'index.js')).href);

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = new Map(config.accounts.map((account) => [account.username, account]));
const bySub = new Map(config.accounts.map((account) => [account.sub, account]));

const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

// A signing key named in the configuration (the tests sign hostile logout tokens with the provider's
// own key, to show each claim check on its own), else a new one.
function signingKey() {
  if (config.signing_key) return config.signing_key;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: 'test-provider' };
}
const jwk = { ...signingKey(), use: 'sig', alg: 'RS256' };

// The back-channel logout POST (and any other call the provider makes to a client). Two things stop
// oidc-provider's own fetch from reaching the cluster on loopback, and neither is a rule about
// callbacks: its SSRF guard (helpers/fetch_request.js) destroys any socket to a special-use address,
// 127.0.0.0/8 included, and glibc does not resolve *.localhost names (Chromium does that itself).
// This provider only ever runs on loopback for tests and the demo, so it calls the registered
// client's own back-channel URI and nothing else, with *.localhost resolved to 127.0.0.1.
const allowedOrigins = new Set(
  [config.client.backchannel_logout_uri].filter(Boolean).map((uri) => new URL(uri).origin),
);

function loopbackLookup(hostname, options, callback) {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (options && options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  dnsLookup(hostname, options, callback);
}

function loopbackFetch(url, options) {
  const target = new URL(url);
  if (!allowedOrigins.has(target.origin)) {
    return Promise.reject(new Error(`refusing to call ${target.origin}`));
  }
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(target, {
      method: options.method || 'GET',
      headers: Object.fromEntries(options.headers || []),
      lookup: loopbackLookup,
      signal: options.signal,
    }, (incoming) => {
      const chunks = [];
      incoming.on('data', (chunk) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = [204, 304].includes(incoming.statusCode) ? null : Buffer.concat(chunks);
        resolve(new Response(body, { status: incoming.statusCode }));
      });
    });
    outgoing.on('error', reject);
    outgoing.end(options.body === undefined ? undefined : String(options.body));
  });
}

const provider = new Provider(config.issuer, {
  fetch: loopbackFetch,
  clients: [{
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...config.client,
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: [config.cookie_key || 'test-provider-cookie-key'] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'email'],
  // amr with the openid scope: an ID token says how the person signed in (pwd, otp), as a province's does.
  claims: { acr: null, auth_time: null, sid: null, openid: ['sub', 'amr'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'] },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('退出统一身份认证', `${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout" id="confirm-logout">确认退出</button>
<button type="submit" form="op.logoutForm">暂不退出</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('已退出统一身份认证', '<p id="logged-out">您已退出。</p>');
      },
    },
    backchannelLogout: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = bySub.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          name: account.name,
          preferred_username: account.username,
          email: account.email,
          email_verified: true,
        };
      },
    };
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('统一身份认证出错', Object.entries(out)
      .map(([key, value]) => `<p class="error"><strong>${escape(key)}</strong>: ${escape(value)}</p>`).join(''));
  },
  ttl: { Session: 3600, Interaction: 600, AuthorizationCode: 60, IdToken: 300, AccessToken: 300, Grant: 3600 },
});

// The test harness reads these lines (DemoProvider.output): whether the back-channel call went through.
provider.on('backchannel.success', (ctx, client, accountId, sid) => {
  process.stdout.write(`backchannel.success ${client.clientId} ${accountId} ${sid}\n`);
});
provider.on('backchannel.error', (ctx, error, client, accountId, sid) => {
  process.stdout.write(`backchannel.error ${client.clientId} ${accountId} ${sid}: ${error.message}\n`);
});

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 10000) reject(new Error('too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function loginForm(uid, error) {
  return page('统一身份认证登录', `${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label>账号 <input name="username" id="username" required></label>
<label>密码 <input name="password" id="password" type="password" required></label>
<button type="submit" id="submit">登录</button>
</form>`);
}

async function interaction(req, res) {
  const url = new URL(req.url, config.issuer);
  const [, , uid, step] = url.pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    if (req.method === 'POST' && step === 'login') {
      const form = await readForm(req);
      const account = accounts.get(form.get('username') || '');
      if (!account || account.password !== form.get('password')) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(loginForm(uid, '账号或密码错误'));
        return;
      }
      await provider.interactionFinished(req, res, {
        login: { accountId: account.sub, amr: account.amr || ['pwd'], acr: account.acr },
      }, { mergeWithLastSubmission: false });
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(loginForm(uid));
    return;
  }
  if (prompt.name === 'consent') {
    // The cluster is a first-party client: what it asks for is granted without a screen.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, {
      mergeWithLastSubmission: true,
    });
    return;
  }
  res.writeHead(501);
  res.end();
}

const callback = provider.callback();
const server = createServer((req, res) => {
  if (req.url === '/favicon.ico') {
    res.writeHead(204);
    res.end();
    return;
  }
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page('统一身份认证出错', `<p class="error">${escape(error.message)}</p>`));
    });
    return;
  }
  callback(req, res);
});
server.listen(config.port, '127.0.0.1', () => {
  // The test harness waits for this line.
  process.stdout.write(`oidc-provider listening on ${config.issuer}\n`);
});
