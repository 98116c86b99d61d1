#include "appidentity.h"

#include <QMessageBox>
#include <QSysInfo>
#include <QtGlobal>

#ifndef INTERLEAVE_VERSION
#error "INTERLEAVE_VERSION comes from the project version in CMakeLists.txt"
#endif

QIcon appIcon()
{
    QIcon icon(QStringLiteral(":/icons/interleave.svg"));
    return icon;
}

QString appVersion()
{
    return QStringLiteral(INTERLEAVE_VERSION);
}

QString aboutText()
{
    return QMessageBox::tr(
               "<h3>Interleave %1</h3>"
               "<p>A lab for concurrency: every scenario runs on real threads and forked "
               "processes, and every state change you see on the timeline happened.</p>"
               "<p>Built with Qt %2 (running on Qt %3), %4.</p>")
        .arg(appVersion(), QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion()),
             QSysInfo::prettyProductName().toHtmlEscaped());
}

void showAboutDialog(QWidget *parent)
{
    QMessageBox box(parent);
    box.setWindowTitle(QMessageBox::tr("About Interleave"));
    box.setIconPixmap(appIcon().pixmap(64, 64));
    box.setTextFormat(Qt::RichText);
    box.setText(aboutText());
    box.exec();
}
