// The export dialog: format follows the file name and back, sizes are bounded, the
// options reach the caller.
#include "exportdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>

class TstExportDialog : public QObject {
    Q_OBJECT
private slots:
    void startsWithSuggestion();
    void formatFollowsTheName();
    void nameFollowsTheFormat();
    void optionsRoundTrip();
    void sizesAreBounded();
    void emptyPathCannotBeSaved();
};

void TstExportDialog::startsWithSuggestion()
{
    ExportDialog d(QStringLiteral("timeline"), QStringLiteral("/tmp/run.png"), QSize(1600, 900));
    QCOMPARE(d.path(), QStringLiteral("/tmp/run.png"));
    QCOMPARE(d.options().size, QSize(1600, 900));
    QVERIFY(d.options().title);
    QVERIFY(d.options().legend);
    QVERIFY(d.windowTitle().contains(QStringLiteral("timeline")));
}

void TstExportDialog::formatFollowsTheName()
{
    ExportDialog d(QStringLiteral("timeline"), QStringLiteral("/tmp/run.png"), QSize(800, 600));
    auto *format = d.findChild<QComboBox *>();
    QVERIFY(format);
    QCOMPARE(ImageFormat(format->currentData().toInt()), ImageFormat::Png);
    d.setPath(QStringLiteral("/tmp/run.svg"));
    QCOMPARE(ImageFormat(format->currentData().toInt()), ImageFormat::Svg);
}

void TstExportDialog::nameFollowsTheFormat()
{
    ExportDialog d(QStringLiteral("timeline"), QStringLiteral("/tmp/run.png"), QSize(800, 600));
    auto *format = d.findChild<QComboBox *>();
    format->setCurrentIndex(format->findData(int(ImageFormat::Svg)));
    QCOMPARE(d.path(), QStringLiteral("/tmp/run.svg"));
    format->setCurrentIndex(format->findData(int(ImageFormat::Png)));
    QCOMPARE(d.path(), QStringLiteral("/tmp/run.png"));
}

void TstExportDialog::optionsRoundTrip()
{
    ExportDialog d(QStringLiteral("timeline"), QStringLiteral("/tmp/run.png"), QSize(800, 600));
    ImageOptions o;
    o.size = QSize(1920, 1080);
    o.scale = 3.0;
    o.title = false;
    o.legend = false;
    d.setOptions(o);
    const ImageOptions back = d.options();
    QCOMPARE(back.size, o.size);
    QCOMPARE(back.scale, o.scale);
    QCOMPARE(back.title, false);
    QCOMPARE(back.legend, false);
}

void TstExportDialog::sizesAreBounded()
{
    ExportDialog d(QStringLiteral("timeline"), QStringLiteral("/tmp/run.png"), QSize(800, 600));
    ImageOptions o;
    o.size = QSize(1, 1'000'000);
    d.setOptions(o);
    QCOMPARE(d.options().size, QSize(ExportDialog::kMinSide, ExportDialog::kMaxSide));
}

void TstExportDialog::emptyPathCannotBeSaved()
{
    ExportDialog d(QStringLiteral("timeline"), QString(), QSize(800, 600));
    auto *buttons = d.findChild<QDialogButtonBox *>();
    QVERIFY(!buttons->button(QDialogButtonBox::Save)->isEnabled());
    d.setPath(QStringLiteral("/tmp/x.svg"));
    QVERIFY(buttons->button(QDialogButtonBox::Save)->isEnabled());
}

QTEST_MAIN(TstExportDialog)
#include "tst_exportdialog.moc"
