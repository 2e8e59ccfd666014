//! Finding the tenant: discovery, and the national cloud it lives in.

use crate::cloud::diagnose::{Context, Stage, diagnose, wrong_cloud};

use crate::cloud::identity::{TenantInfo, discover_tenant};
use crate::model::Diagnosis;
use crate::model::{CloudKind, Endpoints, TenantInput};

/// The cloud instance discovery reports for tenants of each named cloud.
fn expected_instance(kind: CloudKind) -> Option<&'static str> {
    match kind {
        CloudKind::Global => Some("microsoftonline.com"),
        CloudKind::GccHigh | CloudKind::Dod => Some("microsoftonline.us"),
        CloudKind::China => Some("partner.microsoftonline.cn"),
        CloudKind::Custom => None,
    }
}

/// Resolves the tenant through discovery. A tenant that lives in another named cloud than
/// the one chosen is looked up again there, and that cloud is returned: tokens and endpoints
/// are not interchangeable between clouds.
pub async fn resolve_tenant(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    kind: CloudKind,
    tenant: &TenantInput,
) -> Result<(TenantInfo, CloudKind), (Diagnosis, bool)> {
    resolve_tenant_in(http, endpoints, kind, tenant, &Endpoints::named).await
}

/// As `resolve_tenant`, with the endpoints of each named cloud from `named`.
async fn resolve_tenant_in(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    kind: CloudKind,
    tenant: &TenantInput,
    named: &(dyn Fn(CloudKind) -> Option<Endpoints> + Sync),
) -> Result<(TenantInfo, CloudKind), (Diagnosis, bool)> {
    let text = tenant.to_string();
    match discover_tenant(http, endpoints, tenant).await {
        Ok(info) => {
            let Some(want) = expected_instance(kind).filter(|_| !info.cloud_instance.is_empty())
            else {
                return Ok((info, kind));
            };
            let detected = CloudKind::detect(&info.cloud_instance, &info.region_sub_scope);
            // GCC High and DoD share an instance: the region sub-scope tells them apart.
            if info.cloud_instance.eq_ignore_ascii_case(want) && detected.is_none_or(|d| d == kind)
            {
                return Ok((info, kind));
            }
            let wrong = || (wrong_cloud(&info.cloud_instance, want), false);
            let detected = detected.filter(|d| *d != kind).ok_or_else(wrong)?;
            let there = named(detected).ok_or_else(wrong)?;
            match discover_tenant(http, &there, tenant).await {
                Ok(found) => Ok((found, detected)),
                Err(e) if e.is_unavailable() => {
                    let ctx = Context {
                        stage: Stage::Discovery,
                        tenant: &text,
                        client_id: "",
                        mailbox: None,
                        portal: &there.portal,
                    };
                    Err((diagnose(&e, &ctx), true))
                }
                Err(_) => Err(wrong()),
            }
        }
        Err(e) => {
            let unavailable = e.is_unavailable();
            let ctx = Context {
                stage: Stage::Discovery,
                tenant: &text,
                client_id: "",
                mailbox: None,
                portal: &endpoints.portal,
            };
            Err((diagnose(&e, &ctx), unavailable))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::{Sandbox, SandboxOptions};

    async fn posing_as(instance: &str, sub_scope: &str) -> Sandbox {
        Sandbox::start(SandboxOptions {
            cloud_instance: Some((instance.into(), sub_scope.into())),
            ..Default::default()
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn a_tenant_of_another_national_cloud_is_found_there_or_named() {
        let http = crate::cloud::http::client();
        let tenant = TenantInput::parse("contoso.example").unwrap();
        for (instance, sub, lives_in) in [
            ("microsoftonline.us", "", CloudKind::GccHigh),
            ("microsoftonline.us", "DOD", CloudKind::Dod),
            ("partner.microsoftonline.cn", "", CloudKind::China),
        ] {
            let sb = posing_as(instance, sub).await;
            let here = sb.info().endpoints();
            // Chosen Global; discovery says otherwise; that cloud's login knows the tenant.
            let there = here.clone();
            let found = resolve_tenant_in(&http, &here, CloudKind::Global, &tenant, &|k| {
                (k == lives_in).then(|| there.clone())
            })
            .await
            .unwrap_or_else(|(d, _)| panic!("{instance}: {}", d.summary));
            assert_eq!(found.1, lives_in, "{instance} {sub}");
            assert_eq!(found.0.id.to_string(), sb.info().tenant_id);

            // That cloud's login does not know the tenant: the mix-up is named, not guessed.
            let mut unknown = here.clone();
            unknown.login = format!("{}/nowhere", here.login);
            let (d, unavailable) =
                resolve_tenant_in(&http, &here, CloudKind::Global, &tenant, &|_| {
                    Some(unknown.clone())
                })
                .await
                .unwrap_err();
            assert!(!unavailable);
            assert_eq!(d.summary, "The tenant lives in another national cloud.");
            assert!(d.evidence.contains(instance), "{}", d.evidence);
            // That cloud's login cannot be reached: unavailable, not a wrong answer.
            let mut unreachable = here.clone();
            unreachable.login = "http://127.0.0.1:9".into();
            let (_, unavailable) =
                resolve_tenant_in(&http, &here, CloudKind::Global, &tenant, &|_| {
                    Some(unreachable.clone())
                })
                .await
                .unwrap_err();
            assert!(unavailable);
            sb.stop().await;
        }
        // GCC High and DoD share an instance; the sub-scope says which.
        let sb = posing_as("microsoftonline.us", "DOD").await;
        let here = sb.info().endpoints();
        let there = here.clone();
        let found = resolve_tenant_in(&http, &here, CloudKind::GccHigh, &tenant, &|k| {
            (k == CloudKind::Dod).then(|| there.clone())
        })
        .await
        .unwrap_or_else(|(d, _)| panic!("{}", d.summary));
        assert_eq!(found.1, CloudKind::Dod);
        let found = resolve_tenant_in(&http, &here, CloudKind::Dod, &tenant, &|_| None)
            .await
            .unwrap_or_else(|(d, _)| panic!("{}", d.summary));
        assert_eq!(found.1, CloudKind::Dod, "already right: no second look");
        sb.stop().await;
        // A sandbox that claims nothing national is taken as it is.
        let sb = posing_as("sandbox.invalid", "").await;
        let here = sb.info().endpoints();
        let found = resolve_tenant_in(&http, &here, CloudKind::Custom, &tenant, &|_| None)
            .await
            .unwrap_or_else(|(d, _)| panic!("{}", d.summary));
        assert_eq!(found.1, CloudKind::Custom);
        sb.stop().await;
    }
}
