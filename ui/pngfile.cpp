#include "pngfile.h"

#include <QCoreApplication>
#include <QSaveFile>

bool writePngFile(const QImage &image, const QString &path, QString *error)
{
    const auto fail = [&](const QString &why) {
        if (error)
            *error = QCoreApplication::translate("Export", "Cannot write %1: %2").arg(path, why);
        return false;
    };
    if (image.isNull())
        return fail(QCoreApplication::translate("Export", "the image size is empty"));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    if (!image.save(&file, "PNG")) {
        file.cancelWriting();
        return fail(file.error() == QFileDevice::NoError
                        ? QCoreApplication::translate("Export", "PNG encoding failed")
                        : file.errorString());
    }
    if (!file.commit())
        return fail(file.errorString());
    return true;
}
