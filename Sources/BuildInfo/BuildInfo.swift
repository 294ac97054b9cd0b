/// What a binary was built from: `--version` prints it and `/metrics` exports it as
/// `teams_build_info`.
public enum BuildInfo {
    /// The release, as the shipped clients number theirs.
    public static let version = "0.1.0"

    /// The git commit of the sources (`-dirty` with uncommitted changes), or `unknown`
    /// when built outside a git checkout. Recorded by `BuildInfoPlugin`.
    public static let commit = buildCommit

    /// The compiler that built this binary.
    public static let swiftVersion: String = {
        #if compiler(>=6.5)
        return "6.5 or later"
        #elseif compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3.2)
        return "6.3.2"
        #elseif compiler(>=6.3.1)
        return "6.3.1"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }()

    /// `0.1.0 (commit 1a2b3c4d5e6f, Swift 6.3.1)`.
    public static let description = "\(version) (commit \(commit), Swift \(swiftVersion))"
}
