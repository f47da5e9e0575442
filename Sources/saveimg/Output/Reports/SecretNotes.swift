import SaveImage

/// What `define` and `edit` did with the stored secrets (never their values).
enum SecretNotes {
    static func lines(_ kept: DomainSecrets.Kept, dryRun: Bool) -> [String] {
        var lines: [String] = []
        for secret in kept.kept {
            lines.append("  secrets: \(dryRun ? "would keep" : "kept") \(secret) as stored (the new XML does not set it; "
                         + "dumpxml hides it unless --security-info)")
        }
        for secret in kept.replaced {
            lines.append("  secrets: \(secret) replaced by the new XML's")
        }
        for secret in kept.dropped {
            lines.append("  secrets: \(dryRun ? "would drop" : "dropped") \(secret): the new XML no longer has its element")
        }
        return lines
    }
}
