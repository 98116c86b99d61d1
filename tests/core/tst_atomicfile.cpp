#include "trace/atomicfile.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <fstream>
#include <iterator>
#include <string>

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

// Saving a file the way QSaveFile does: all or nothing, through symbolic links, with the
// permissions a user expects. We run as root, whom mode bits do not stop, so the
// directory that takes no new file is /proc; a mode-0555 directory is tried only when
// the test does not run as root.

namespace {

// Every umask() call in this program lands here: a definition in the program takes the
// place of the C library's for all callers, the core library included (it is linked in
// statically). The call still reaches the kernel.
std::atomic<int> g_umaskCalls{0};

} // namespace

extern "C" mode_t umask(mode_t mask) noexcept
{
    ++g_umaskCalls;
    return mode_t(syscall(SYS_umask, mask));
}

namespace {

// Sets the umask for one test and puts the previous one back.
class UmaskScope {
public:
    explicit UmaskScope(mode_t mask)
        : m_previous(umask(mask))
    {
    }
    ~UmaskScope() { umask(m_previous); }
    UmaskScope(const UmaskScope &) = delete;
    UmaskScope &operator=(const UmaskScope &) = delete;

private:
    mode_t m_previous;
};

std::string nativePath(const QString &path)
{
    return QFile::encodeName(path).toStdString();
}

std::optional<std::string> save(const QString &path, const std::string &content)
{
    return il::write_file_atomically(nativePath(path), [&](std::ostream &out) {
        out << content;
        return bool(out);
    });
}

std::string contentOf(const QString &path)
{
    std::ifstream in(nativePath(path), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void put(const QString &path, const std::string &content)
{
    std::ofstream(nativePath(path), std::ios::binary) << content;
}

// The permission bits of the file itself (not of a link's target); -1 if it is missing.
int modeOf(const QString &path)
{
    struct stat st {};
    if (::lstat(nativePath(path).c_str(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

bool isLink(const QString &path)
{
    struct stat st {};
    return ::lstat(nativePath(path).c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

// What a link holds, as written: the link was left as it was if this did not change.
QString linkText(const QString &path)
{
    char buffer[4096];
    const ssize_t n = ::readlink(nativePath(path).c_str(), buffer, sizeof buffer);
    return n < 0 ? QString() : QFile::decodeName(QByteArray(buffer, n));
}

bool makeLink(const QString &to, const QString &at)
{
    return ::symlink(nativePath(to).c_str(), nativePath(at).c_str()) == 0;
}

// Every name in a directory, hidden ones included: a leftover temporary file shows here.
QStringList entries(const QString &dir)
{
    return QDir(dir).entryList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

// The same, through subdirectories, as paths relative to `dir`.
QStringList entriesBelow(const QString &dir)
{
    QStringList all;
    for (const QString &name : entries(dir)) {
        all << name;
        const QString path = dir + QLatin1Char('/') + name;
        if (QFileInfo(path).isDir() && !isLink(path))
            for (const QString &inner : entriesBelow(path))
                all << name + QLatin1Char('/') + inner;
    }
    return all;
}

QString octal(int mode)
{
    return QString::number(mode, 8);
}

} // namespace

class TstAtomicFile : public QObject {
    Q_OBJECT

    QTemporaryDir m_root;
    int m_case = 0;

    // A fresh, empty directory for each test.
    QString freshDir()
    {
        const QString dir = m_root.filePath(QString::number(++m_case));
        if (!QDir().mkpath(dir))
            return {};
        return dir;
    }

private slots:
    void initTestCase() { QVERIFY(m_root.isValid()); }

    void writesANewFile()
    {
        const QString dir = freshDir();
        const QString path = dir + "/run.json";
        const auto error = save(path, "{}\n");
        QVERIFY2(!error, error ? error->c_str() : "");
        QCOMPARE(contentOf(path), std::string("{}\n"));
        QCOMPARE(entries(dir), QStringList{"run.json"});
    }

    void newFileModeFollowsTheUmask_data()
    {
        QTest::addColumn<int>("mask");
        QTest::newRow("022") << 022;
        QTest::newRow("027") << 027;
        QTest::newRow("077") << 077;
        QTest::newRow("000") << 0;
    }

    void newFileModeFollowsTheUmask()
    {
        QFETCH(int, mask);
        const UmaskScope scope(static_cast<mode_t>(mask));
        const QString path = freshDir() + "/run.json";
        QVERIFY(!save(path, "x"));
        QCOMPARE(octal(modeOf(path)), octal(0666 & ~mask));
    }

    // umask() can only be read by setting it; meanwhile a file another thread creates
    // would get mode 0666. The save reads it from /proc instead.
    void umaskIsNotChanged()
    {
        std::ifstream status("/proc/self/status");
        bool listed = false;
        for (std::string line; std::getline(status, line);)
            listed = listed || line.rfind("Umask:", 0) == 0;
        if (!listed)
            QSKIP("this kernel does not show the umask in /proc/self/status (before 4.7)");
        const UmaskScope scope(027);
        const QString path = freshDir() + "/run.json";
        g_umaskCalls = 0;
        QVERIFY(!save(path, "x"));
        QCOMPARE(g_umaskCalls.load(), 0);
        QCOMPARE(octal(modeOf(path)), octal(0640));
    }

    void existingFileKeepsItsMode_data()
    {
        QTest::addColumn<int>("mode");
        QTest::newRow("0640") << 0640;
        QTest::newRow("0600") << 0600;
        QTest::newRow("0755") << 0755;
        QTest::newRow("0444 (read-only)") << 0444;
    }

    void existingFileKeepsItsMode()
    {
        QFETCH(int, mode);
        const UmaskScope scope(022); // a new file would be 0644
        const QString dir = freshDir();
        const QString path = dir + "/run.json";
        put(path, "old");
        QVERIFY(::chmod(nativePath(path).c_str(), mode_t(mode)) == 0);
        const auto error = save(path, "new");
        QVERIFY2(!error, error ? error->c_str() : "");
        QCOMPARE(contentOf(path), std::string("new"));
        QCOMPARE(octal(modeOf(path)), octal(mode));
        QCOMPARE(entries(dir), QStringList{"run.json"});
    }

    void writesThroughASymlink_data()
    {
        QTest::addColumn<QString>("linkTo"); // as stored in the link; "@" is the test's directory
        QTest::newRow("relative") << "real.json";
        QTest::newRow("absolute") << "@/real.json";
        QTest::newRow("through a subdirectory") << "./sub/../real.json";
    }

    void writesThroughASymlink()
    {
        QFETCH(QString, linkTo);
        const QString dir = freshDir();
        QVERIFY(QDir(dir).mkpath("sub"));
        linkTo.replace(QLatin1Char('@'), dir);
        put(dir + "/real.json", "old");
        QVERIFY(::chmod(nativePath(dir + "/real.json").c_str(), 0640) == 0);
        QVERIFY(makeLink(linkTo, dir + "/link.json"));

        const auto error = save(dir + "/link.json", "new");
        QVERIFY2(!error, error ? error->c_str() : "");
        QVERIFY(isLink(dir + "/link.json"));
        QCOMPARE(linkText(dir + "/link.json"), linkTo);
        QCOMPARE(contentOf(dir + "/real.json"), std::string("new"));
        QCOMPARE(octal(modeOf(dir + "/real.json")), octal(0640));
        QCOMPARE(entries(dir), (QStringList{"link.json", "real.json", "sub"}));
        QCOMPARE(entries(dir + "/sub"), QStringList());
    }

    // A link to a link to a file in another directory: the temporary file is made beside
    // the file, so the rename stays in one directory and the links' directory stays clean.
    void writesThroughAChainIntoAnotherDirectory()
    {
        const QString dir = freshDir();
        QVERIFY(QDir(dir).mkpath("links") && QDir(dir).mkpath("data"));
        put(dir + "/data/real.json", "old");
        QVERIFY(makeLink("../data/real.json", dir + "/links/first.json"));
        QVERIFY(makeLink("first.json", dir + "/links/second.json"));

        const auto error = save(dir + "/links/second.json", "new");
        QVERIFY2(!error, error ? error->c_str() : "");
        QCOMPARE(linkText(dir + "/links/first.json"), QStringLiteral("../data/real.json"));
        QCOMPARE(linkText(dir + "/links/second.json"), QStringLiteral("first.json"));
        QCOMPARE(contentOf(dir + "/data/real.json"), std::string("new"));
        QCOMPARE(entries(dir + "/links"), (QStringList{"first.json", "second.json"}));
        QCOMPARE(entries(dir + "/data"), QStringList{"real.json"});
    }

    void danglingSymlinkCreatesItsTarget_data()
    {
        QTest::addColumn<QString>("linkTo");
        QTest::addColumn<QString>("created");        // relative to the test's directory
        QTest::addColumn<QStringList>("afterwards"); // everything in the test's directory
        QTest::newRow("beside it") << "new.json"
                                   << "new.json" << QStringList{"link.json", "new.json", "sub"};
        QTest::newRow("in a subdirectory")
            << "sub/new.json"
            << "sub/new.json" << QStringList{"link.json", "sub", "sub/new.json"};
        QTest::newRow("through another dangling link")
            << "hop.json"
            << "sub/new.json" << QStringList{"hop.json", "link.json", "sub", "sub/new.json"};
    }

    void danglingSymlinkCreatesItsTarget()
    {
        QFETCH(QString, linkTo);
        QFETCH(QString, created);
        QFETCH(QStringList, afterwards);
        const UmaskScope scope(027);
        const QString dir = freshDir();
        QVERIFY(QDir(dir).mkpath("sub"));
        if (linkTo == QLatin1String("hop.json"))
            QVERIFY(makeLink("sub/new.json", dir + "/hop.json"));
        QVERIFY(makeLink(linkTo, dir + "/link.json"));

        const auto error = save(dir + "/link.json", "new");
        QVERIFY2(!error, error ? error->c_str() : "");
        QVERIFY(isLink(dir + "/link.json"));
        QCOMPARE(linkText(dir + "/link.json"), linkTo);
        if (linkTo == QLatin1String("hop.json"))
            QCOMPARE(linkText(dir + "/hop.json"), QStringLiteral("sub/new.json"));
        QCOMPARE(contentOf(dir + "/" + created), std::string("new"));
        QCOMPARE(octal(modeOf(dir + "/" + created)), octal(0640));
        QCOMPARE(entriesBelow(dir), afterwards);
    }

    void danglingSymlinkIntoAMissingDirectoryFails()
    {
        const QString dir = freshDir();
        QVERIFY(makeLink("nodir/new.json", dir + "/link.json"));
        const auto error = save(dir + "/link.json", "new");
        QVERIFY(error);
        const QString message = QString::fromStdString(*error);
        QVERIFY2(message.startsWith("cannot write " + dir + "/link.json: "), qPrintable(message));
        QVERIFY2(message.contains("nodir/new.json"), qPrintable(message));
        QVERIFY2(message.contains("No such file or directory"), qPrintable(message));
        QVERIFY(isLink(dir + "/link.json"));
        QCOMPARE(entries(dir), QStringList{"link.json"});
    }

    void symlinkLoopFails()
    {
        const QString dir = freshDir();
        QVERIFY(makeLink("b.json", dir + "/a.json"));
        QVERIFY(makeLink("a.json", dir + "/b.json"));
        const auto error = save(dir + "/a.json", "new");
        QVERIFY(error);
        const QString message = QString::fromStdString(*error);
        QVERIFY2(message.contains("symbolic link"), qPrintable(message));
        QVERIFY(isLink(dir + "/a.json") && isLink(dir + "/b.json"));
        QCOMPARE(entries(dir), (QStringList{"a.json", "b.json"}));
    }

    void directoryWithoutNewFilesFails_data()
    {
        QTest::addColumn<QString>("path"); // "@" is the test's directory
        QTest::addColumn<QString>("link"); // made in the test's directory when not empty
        QTest::newRow("/proc") << "/proc/tst_atomicfile.json"
                               << "";
        QTest::newRow("a link into /proc") << "@/link.json"
                                           << "/proc/tst_atomicfile.json";
        if (::geteuid() != 0)
            QTest::newRow("mode 0555") << "@/locked/run.json"
                                       << "";
    }

    void directoryWithoutNewFilesFails()
    {
        QFETCH(QString, path);
        QFETCH(QString, link);
        const QString dir = freshDir();
        path.replace(QLatin1Char('@'), dir);
        if (!link.isEmpty())
            QVERIFY(makeLink(link, path));
        if (path.contains("/locked/")) {
            QVERIFY(QDir(dir).mkpath("locked"));
            QVERIFY(::chmod(nativePath(dir + "/locked").c_str(), 0555) == 0);
        }
        const QStringList before = entries(dir);

        const auto error = save(path, "new");
        QVERIFY(error);
        const QString message = QString::fromStdString(*error);
        QVERIFY2(message.startsWith("cannot write " + path + ": cannot create a temporary file"),
                 qPrintable(message));
        QCOMPARE(entries(dir), before);
        if (path.contains("/locked/"))
            QCOMPARE(entries(dir + "/locked"), QStringList());
        QVERIFY(!QFileInfo::exists("/proc/tst_atomicfile.json"));
    }

    // A writer that gives up, and a rename that cannot happen (the name is a directory):
    // the old file stays as it was and no temporary file is left.
    void failedWriteLeavesNothing()
    {
        const QString dir = freshDir();
        const QString path = dir + "/run.json";
        put(path, "old");
        const auto error = il::write_file_atomically(nativePath(path), [](std::ostream &out) {
            out << "half";
            return false;
        });
        QVERIFY(error);
        QVERIFY2(
            QString::fromStdString(*error).startsWith("cannot write " + path + ": writing failed"),
            error->c_str());
        QCOMPARE(contentOf(path), std::string("old"));
        QCOMPARE(entries(dir), QStringList{"run.json"});
    }

    void failedRenameLeavesNothing()
    {
        const QString dir = freshDir();
        QVERIFY(QDir(dir).mkpath("folder.json"));
        const auto error = save(dir + "/folder.json", "new");
        QVERIFY(error);
        QVERIFY2(QString::fromStdString(*error).contains("cannot rename"), error->c_str());
        QVERIFY(QFileInfo(dir + "/folder.json").isDir());
        QCOMPARE(entries(dir), QStringList{"folder.json"});
    }
};

QTEST_GUILESS_MAIN(TstAtomicFile)
#include "tst_atomicfile.moc"
