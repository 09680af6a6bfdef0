//! The relying party of single sign-on: OpenID Connect's authorization code flow with PKCE,
//! through the `openidconnect` crate. This module speaks the protocol (discovery, the request
//! the browser carries to the provider, the code exchange, the ID token's signature, issuer,
//! audience, expiry and nonce); `domain::store::account::single_sign_on` decides whose account
//! the person is; `routes::single_sign_on` is the HTTP around both.

use std::time::{Duration, Instant};

use domain::{
    config::SingleSignOnSettings,
    store::account::single_sign_on::{Flow, ProviderPerson},
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
    core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata},
    reqwest,
};
use tokio::sync::RwLock;
use url::Url;

/// The provider's discovery document (with its signing keys) is fetched again after this, and
/// at once when an ID token names a key the cached set lacks (the provider rotated its keys).
const METADATA_LIFETIME: Duration = Duration::from_secs(3600);

/// Why a sign-in through the provider failed. The person is told in words that it failed; the
/// cause goes to the log.
#[derive(Debug, thiserror::Error)]
pub enum SingleSignOnError {
    #[error("the provider's discovery document could not be read: {0}")]
    Discovery(String),
    #[error("the provider refused the authorization code: {0}")]
    Exchange(String),
    #[error("the provider's answer carried no ID token")]
    NoIdToken,
    #[error("the ID token did not verify: {0}")]
    IdToken(String),
    #[error("the redirect URI is not a URL: {0}")]
    RedirectUri(String),
}

/// One configured provider, shared by every request.
pub struct Provider {
    settings: SingleSignOnSettings,
    redirect_uri: RedirectUrl,
    http: reqwest::Client,
    metadata: RwLock<Option<(CoreProviderMetadata, Instant)>>,
}

impl Provider {
    /// `redirect_uri` is this api's `/auth/oidc/callback` as the browser reaches it.
    pub fn new(
        settings: SingleSignOnSettings,
        redirect_uri: &Url,
    ) -> Result<Self, SingleSignOnError> {
        let http = reqwest::ClientBuilder::new()
            // Following redirects would let a provider's answer send the api anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| SingleSignOnError::Discovery(e.to_string()))?;
        Ok(Self {
            settings,
            redirect_uri: RedirectUrl::from_url(redirect_uri.clone()),
            http,
            metadata: RwLock::new(None),
        })
    }

    /// The provider's issuer, as configured.
    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    async fn metadata(&self, fresh: bool) -> Result<CoreProviderMetadata, SingleSignOnError> {
        if !fresh
            && let Some((metadata, at)) = self.metadata.read().await.as_ref()
            && at.elapsed() < METADATA_LIFETIME
        {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| SingleSignOnError::Discovery(e.to_string()))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| SingleSignOnError::Discovery(error_chain(&e)))?;
        *self.metadata.write().await = Some((metadata.clone(), Instant::now()));
        Ok(metadata)
    }

    fn client(
        &self,
        metadata: CoreProviderMetadata,
    ) -> openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    > {
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings
                .client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.expose().to_owned())),
        )
        .set_redirect_uri(self.redirect_uri.clone())
    }

    /// Where to send the browser, the `state` it must bring back, and what finishing needs.
    pub async fn authorize(&self) -> Result<(Url, String, Flow), SingleSignOnError> {
        let client = self.client(self.metadata(false).await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".to_owned()))
            .add_scope(Scope::new("profile".to_owned()))
            .set_pkce_challenge(challenge)
            .url();
        Ok((
            url,
            state.secret().clone(),
            Flow {
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
            },
        ))
    }

    /// Exchanges the code the browser brought back and checks the ID token: who signed in.
    pub async fn finish(
        &self,
        code: String,
        flow: Flow,
    ) -> Result<ProviderPerson, SingleSignOnError> {
        let client = self.client(self.metadata(false).await?);
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| SingleSignOnError::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| SingleSignOnError::Exchange(error_chain(&e)))?;
        let id_token = response.id_token().ok_or(SingleSignOnError::NoIdToken)?;
        let nonce = Nonce::new(flow.nonce);
        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(claims) => claims.clone(),
            // The provider may have rotated its keys since they were read: read them again
            // once before refusing.
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(_)) => {
                let client = self.client(self.metadata(true).await?);
                id_token
                    .claims(&client.id_token_verifier(), &nonce)
                    .map_err(|e| SingleSignOnError::IdToken(error_chain(&e)))?
                    .clone()
            }
            Err(e) => return Err(SingleSignOnError::IdToken(error_chain(&e))),
        };
        Ok(ProviderPerson {
            subject: claims.subject().as_str().to_owned(),
            email: claims.email().map(|e| e.as_str().to_owned()),
            email_verified: claims.email_verified().unwrap_or(false),
        })
    }
}

/// An error and its causes on one line, for the log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
