#pragma once
// Copies a helper script of tests/helpers into a test's temporary folder as an executable: the
// exec bit may not survive a checkout, and the tests of every legacy runner need the stand-ins.
#include <string>

#include <QDir>
#include <QFile>
#include <QString>

namespace tbtest {

inline std::string executable_helper(const QString& dir, const char* name) {
    const QString src = QString(TB_TEST_HELPER_DIR) + "/" + name;
    const QString dst = QDir(dir).filePath(name);
    if (!QFile::exists(dst)) {
        QFile::copy(src, dst);
        QFile::setPermissions(dst, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    return dst.toStdString();
}

}  // namespace tbtest
