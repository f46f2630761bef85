package dangan.intake;

/** A file that as a whole is not something intake can file (no name column, wrong kind of sheet…). */
public class FileRejectedException extends RuntimeException {
    public FileRejectedException(String message) {
        super(message);
    }
}
