//! What a shown PowerShell script uses and defines: every `$variable` must be assigned before
//! it is used, and no line may hold two cmdlets.

/// Variables PowerShell itself defines.
const AUTOMATIC: [&str; 5] = ["_", "null", "true", "false", "ErrorActionPreference"];

/// The `$variables` of `line`, in order (`$($group.DistinguishedName)` uses `group`).
fn used(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find('$') {
        let name: String = rest[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !AUTOMATIC.contains(&name.as_str()) {
            out.push(name);
        }
        rest = &rest[at + 1..];
    }
    out
}

/// The variable `line` assigns: `$name = …`, or a `foreach ($name in …)` loop's.
fn assigned(line: &str) -> Option<String> {
    let t = line.trim_start();
    let t = t.strip_prefix("foreach (").unwrap_or(t);
    let name: String = t
        .strip_prefix('$')?
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let after = t[1 + name.len()..].trim_start();
    (after.starts_with('=') && !after.starts_with("==") || after.starts_with("in ")).then_some(name)
}

/// Variables `script` uses before (or without) assigning them, each named once.
pub fn undefined_variables(script: &str) -> Vec<String> {
    let mut defined: Vec<String> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for line in script.lines() {
        let own = assigned(line);
        for name in used(line) {
            let this_one = own.as_ref() == Some(&name);
            if !this_one && !defined.contains(&name) && !missing.contains(&name) {
                missing.push(name);
            }
        }
        if let Some(n) = own {
            defined.push(n);
        }
    }
    missing
}

/// The cmdlets (`Verb-Noun` of the verbs the wizard writes) named on `line`.
fn cmdlets(line: &str) -> Vec<&str> {
    const VERBS: [&str; 8] = [
        "Get-", "New-", "Add-", "Set-", "Remove-", "Test-", "Connect-", "Update-",
    ];
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    for (at, _) in line.char_indices() {
        // A cmdlet in parentheses is part of the command around it: `(Get-Date).AddMonths(6)`.
        let starts_word = at == 0
            || !(bytes[at - 1].is_ascii_alphanumeric() || matches!(bytes[at - 1], b'-' | b'('));
        if !starts_word {
            continue;
        }
        if let Some(v) = VERBS.iter().find(|v| line[at..].starts_with(**v)) {
            let end = line[at + v.len()..]
                .find(|c: char| !c.is_ascii_alphanumeric())
                .map_or(line.len(), |n| at + v.len() + n);
            if end > at + v.len() && bytes[at + v.len()].is_ascii_uppercase() {
                out.push(&line[at..end]);
            }
        }
    }
    out
}

/// Lines of `script` that name two cmdlets or more (two commands run together, or joined by
/// `;`).
pub fn crowded_lines(script: &str) -> Vec<String> {
    script
        .lines()
        .filter(|l| cmdlets(l).len() > 1)
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_found_used_before_they_are_assigned() {
        let ok = "$group = Get-DistributionGroup -Identity 'g'\nNew-ManagementScope -Name 'x' -RecipientRestrictionFilter \"MemberOfGroup -eq '$($group.DistinguishedName)'\"";
        assert!(undefined_variables(ok).is_empty());
        let bad = "New-ManagementScope -RecipientRestrictionFilter \"MemberOfGroup -eq '$($group.DistinguishedName)'\"";
        assert_eq!(undefined_variables(bad), ["group"]);
        assert_eq!(
            undefined_variables("$app = New-MgApplication -RequiredResourceAccess $rra"),
            ["rra"]
        );
        assert!(undefined_variables("foreach ($m in @('a')) { Get-Mailbox -Identity $m | Where-Object { $_.X -eq $null } }").is_empty());
        assert_eq!(undefined_variables("if ($x -eq 1) {}"), ["x"]);
    }

    #[test]
    fn two_cmdlets_on_a_line_are_found() {
        assert_eq!(
            crowded_lines("Test-ServicePrincipalAuthorization -Resource 'frank@contoso.example'Test-ServicePrincipalAuthorization -Resource 'x'").len(),
            1
        );
        assert_eq!(crowded_lines("$res = Get-MgServicePrincipal -Filter \"appId eq 'x'\"; New-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $res.Id").len(), 1);
        assert!(
            crowded_lines(
                "New-DistributionGroup -Name 'Get-help' -Alias 'x'\nGet-Mailbox | Out-Null"
            )
            .is_empty()
        );
    }
}
