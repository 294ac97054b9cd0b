/// Why a `DynamoDBConfiguration` could not be built from the environment.
///
/// `description` is one line that names what is missing and how to provide it, meant
/// to be printed as-is when a server refuses to start.
public enum DynamoDBConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Neither `AWS_REGION` nor `AWS_DEFAULT_REGION` is set.
    case missingRegion
    /// No access key pair in the environment nor in the profile of the credentials file.
    case missingCredentials(profile: String, credentialsFile: String)
    /// A source has one half of the key pair but not the other.
    case incompleteCredentials(source: String, missing: String)
    /// The credentials file exists but could not be read.
    case unreadableCredentialsFile(path: String, reason: String)
    /// An endpoint override is not an absolute `http` or `https` URL with a host.
    case invalidEndpoint(variable: String, value: String)

    public var description: String {
        switch self {
        case .missingRegion:
            "AWS region is not configured: set AWS_REGION (or AWS_DEFAULT_REGION), e.g. AWS_REGION=eu-west-1"
        case .missingCredentials(let profile, let file):
            "AWS credentials not found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN "
                + "for temporary credentials), or add aws_access_key_id/aws_secret_access_key to profile "
                + "[\(profile)] in \(file) (choose the profile with AWS_PROFILE, the file with AWS_SHARED_CREDENTIALS_FILE)"
        case .incompleteCredentials(let source, let missing):
            "AWS credentials in \(source) are incomplete: \(missing) is missing; set it next to the access key or remove both"
        case .unreadableCredentialsFile(let path, let reason):
            "AWS shared credentials file \(path) could not be read (\(reason)); fix its permissions or point AWS_SHARED_CREDENTIALS_FILE elsewhere"
        case .invalidEndpoint(let variable, let value):
            "\(variable)=\(value) is not a valid endpoint: use an absolute http(s) URL such as http://127.0.0.1:8000"
        }
    }
}
