//! What a refusal of the administrator's own sign-in means (docs/browser-sign-in.md).

use super::d;
use crate::cloud::error::{AadError, CloudError};
use crate::model::Diagnosis;

/// AADSTS53003 on the administrator's device-code sign-in: a Conditional Access policy
/// blocks the device code flow (Microsoft-managed "Block device code flow", or the tenant's
/// own policy with the Authentication flows condition).
pub fn device_code_blocked(e: &CloudError) -> Option<Diagnosis> {
    let CloudError::Aad(a) = e else { return None };
    a.has_code(53003).then(|| blocked(a))
}

fn blocked(a: &AadError) -> Diagnosis {
    d(
        "A Conditional Access policy blocks the device code flow for your sign-in.",
        a.short_description(),
        "Conditional Access refused to issue a token to your device-code sign-in (AADSTS53003): most often the Microsoft-managed policy \"Block device code flow\", or a policy of the tenant with the Authentication flows condition. It is a policy on how you sign in, not on the app being set up.",
        "Sign in in the browser instead (--sign-in browser; the wizard offers it at once). If the browser sign-in is refused too, ask a Conditional Access administrator which policy applied: Entra admin center › Sign-in logs › your sign-in › Conditional Access.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aad(code: u32) -> CloudError {
        CloudError::Aad(AadError {
            status: 400,
            error: "invalid_grant".into(),
            codes: vec![code],
            description: format!(
                "AADSTS{code}: Access has been blocked by Conditional Access policies. Trace ID: x"
            ),
        })
    }

    #[test]
    fn aadsts53003_on_the_administrator_s_sign_in_is_the_device_code_block() {
        let d = device_code_blocked(&aad(53003)).expect("diagnosed");
        assert_eq!(
            d.summary,
            "A Conditional Access policy blocks the device code flow for your sign-in."
        );
        assert!(
            d.cause.contains("\"Block device code flow\"")
                && d.cause.contains("Authentication flows")
        );
        assert!(!d.cause.contains("workload identities"));
        assert!(d.fix.contains("--sign-in browser"));
        assert_eq!(
            d.evidence,
            "AADSTS53003: Access has been blocked by Conditional Access policies."
        );
        assert!(
            device_code_blocked(&aad(50076)).is_none(),
            "another refusal is not this one"
        );
    }
}
